"""The chance that one more call, if a person answers it, finds no agent in time.

Agents that may free up and calls that may turn into live answers are independent Bernoulli
trials; their sums are approximated as normal (with a continuity correction), which is what keeps
this a handful of array operations per decision.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from dialer.pacing.model import ANSWER_HORIZON, PacingModel
from dialer.pacing.observations import AgentFloor, CallsInFlight

Vector = npt.NDArray[np.float64]

# keeps the normal approximation defined when nothing is uncertain (all agents idle, no calls)
_MIN_VARIANCE = 0.05


def normal_cdf(x: Vector) -> Vector:
    """Standard normal CDF; Abramowitz and Stegun 7.1.26 (error below 1e-7), numpy only."""
    z = np.abs(x) / np.sqrt(2.0)
    t = 1.0 / (1.0 + 0.3275911 * z)
    poly = t * (
        0.254829592 + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027 + t * 1.061405429)))
    )
    tail = 0.5 * poly * np.exp(-z * z)
    result: Vector = np.where(x >= 0, 1.0 - tail, tail)
    return result


def _rows(seconds: Vector, rows: int) -> npt.NDArray[np.intp]:
    return np.minimum(seconds.astype(np.intp), rows - 1)


@dataclass(frozen=True, eq=False)
class Balance:
    """Over the answer times t of a new call: agents ready by t + wait minus answers before t."""

    mean: Vector
    variance: Vector
    new_live_before: Vector
    live_delay_density: Vector

    @classmethod
    def of(
        cls, model: PacingModel, agents: AgentFloor, calls: CallsInFlight, wait_seconds: int
    ) -> Balance:
        t = ANSWER_HORIZON
        # an answer at t is served by an agent ready by t + wait
        by = slice(wait_seconds, wait_seconds + t)
        talk_rows = _rows(agents.on_call_seconds, len(model.on_call_free_within))
        talk = model.on_call_free_within[talk_rows, by]
        wrap = model.wrap_up_free_within[_rows(agents.wrap_up_seconds, len(model.wrap_up_free_within)), by]
        ringing = model.live_within[_rows(calls.ringing_seconds, len(model.live_within)), :t]
        mean = (
            float(agents.ready - calls.waiting)
            + talk.sum(axis=0)
            + wrap.sum(axis=0)
            - ringing.sum(axis=0)
        )
        variance = (
            (talk * (1.0 - talk)).sum(axis=0)
            + (wrap * (1.0 - wrap)).sum(axis=0)
            + (ringing * (1.0 - ringing)).sum(axis=0)
        )
        return cls(
            mean=mean,
            variance=variance,
            new_live_before=model.live_within[0, :t],
            live_delay_density=model.live_delay_density,
        )

    def risk_of_call(self, k: int) -> float:
        """Risk of the k-th of k new calls placed now (the others may answer before it)."""
        others = float(k - 1)
        m = self.new_live_before
        mean = self.mean - others * m
        sd = np.sqrt(self.variance + others * m * (1.0 - m) + _MIN_VARIANCE)
        return float(self.live_delay_density @ normal_cdf((0.5 - mean) / sd))

    def most_calls_within(self, risk_limit: float, lowest: int, highest: int) -> tuple[int, float]:
        """The most calls in [lowest, highest] whose last call's risk stays within the limit."""
        if highest <= lowest or self.risk_of_call(lowest + 1) > risk_limit:
            return lowest, self.risk_of_call(lowest) if lowest > 0 else 0.0
        good, step = lowest + 1, 1
        while good + step <= highest and self.risk_of_call(good + step) <= risk_limit:
            good += step
            step *= 2
        bad = min(good + step, highest + 1)
        while bad - good > 1:
            middle = (good + bad) // 2
            if self.risk_of_call(middle) <= risk_limit:
                good = middle
            else:
                bad = middle
        return good, self.risk_of_call(good)
