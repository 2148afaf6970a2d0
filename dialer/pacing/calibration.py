"""Is the pacing model right? Its risk of each call a predictive decision placed
(`PacingDecision.call_risks`), summed over the calls a person answered, is the number of abandons
it expected; set against the abandons that happened, in the simulator (`dialer bench pacing`) and
live (`call_attempts.pacing_risk`, `dialer bench live-pacing`)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass


@dataclass(frozen=True)
class ModelCheck:
    """The answered calls a predictive decision placed at a known risk (`call_risks`): how many
    found no agent, against the sum of their risks (what the model expected)."""

    live_answers: int = 0
    abandoned: int = 0
    abandons_expected: float = 0.0

    def __add__(self, other: ModelCheck) -> ModelCheck:
        return ModelCheck(
            self.live_answers + other.live_answers,
            self.abandoned + other.abandoned,
            self.abandons_expected + other.abandons_expected,
        )

    def as_json(self) -> dict[str, float | int | None]:
        live = self.live_answers
        return {
            "live_answers": live,
            "abandoned": self.abandoned,
            "abandons_expected": round(self.abandons_expected, 2),
            "abandon_rate": self.abandoned / live if live else None,
            "abandon_rate_expected": self.abandons_expected / live if live else None,
        }


def model_check(answered: Iterable[tuple[float, bool]]) -> ModelCheck:
    """Over (risk, abandoned) of each live-answered call placed at a known risk."""
    check = ModelCheck()
    for risk, abandoned in answered:
        check += ModelCheck(1, int(abandoned), risk)
    return check
