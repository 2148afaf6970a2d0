"""What one simulated day produced."""

from __future__ import annotations

from dataclasses import dataclass, field

from dialer.pacing import Alarm, DecisionReason
from dialer.pacing.calibration import ModelCheck


@dataclass(frozen=True)
class DayResult:
    agents: int
    shift_seconds: float
    talk_seconds: float
    wrap_seconds: float
    live_answers: int
    abandoned: int
    # by the hour of the answer
    hourly_live_answers: tuple[int, ...]
    hourly_abandoned: tuple[int, ...]
    dials: int
    peak_lines: int
    alarms: tuple[Alarm, ...]
    decisions_by_reason: dict[DecisionReason, int]
    model_check: ModelCheck = field(default_factory=ModelCheck)

    @property
    def occupancy(self) -> float:
        return (self.talk_seconds + self.wrap_seconds) / (self.agents * self.shift_seconds)

    @property
    def abandon_rate(self) -> float:
        return self.abandoned / self.live_answers if self.live_answers else 0.0

    @property
    def worst_hour_abandon_rate(self) -> float:
        hours = zip(self.hourly_abandoned, self.hourly_live_answers, strict=True)
        rates = [abandoned / live for abandoned, live in hours if live]
        return max(rates, default=0.0)

    @property
    def talk_minutes_per_agent_hour(self) -> float:
        return self.talk_seconds / 60.0 / (self.agents * self.shift_seconds / 3600.0)

    @property
    def dials_per_second(self) -> float:
        return self.dials / self.shift_seconds

    @property
    def peak_lines_per_agent(self) -> float:
        return self.peak_lines / self.agents
