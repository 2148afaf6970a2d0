"""The chance that one more call, if a person answers it, finds no agent in time.

Agents that may free up and calls that may turn into live answers are independent Bernoulli
trials; their sums are approximated as normal (with a continuity correction), which is what keeps
this a handful of array operations per decision.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from dialer.pacing.model import PacingModel
from dialer.pacing.observations import AgentFloor, CallsInFlight, InboundDemand

Vector = npt.NDArray[np.float64]

# keeps the normal approximation defined when nothing is uncertain (all agents idle, no calls)
_MIN_VARIANCE = 0.05
# candidates evaluated together at first; most decisions place fewer calls than this
_FIRST_BATCH = 8


# the normal CDF's table: beyond 9 standard deviations it is 0 or 1 to double precision, and
# 0.005 steps keep linear interpolation within 1e-6
_Z_RANGE = 9.0
_Z_POINTS = 3601


def _phi_table() -> tuple[Vector, Vector]:
    z = np.linspace(-_Z_RANGE, _Z_RANGE, _Z_POINTS)
    erfc = np.vectorize(math.erfc)
    return z, 0.5 * erfc(-z / math.sqrt(2.0))


_PHI_Z, _PHI = _phi_table()


def normal_cdf(x: Vector) -> Vector:
    """Standard normal CDF by table lookup: one call, where a formula costs a dozen array ops."""
    result: Vector = np.interp(x, _PHI_Z, _PHI)
    return result


def _rows(seconds: Vector, rows: int) -> npt.NDArray[np.intp]:
    # the tables are by whole seconds; past their end the last row stands for everything longer
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
        cls,
        model: PacingModel,
        agents: AgentFloor,
        calls: CallsInFlight,
        wait_seconds: int,
        inbound: InboundDemand | None = None,
    ) -> Balance:
        """Inbound callers come first: those waiting and those expected to arrive before the
        new call's agent must be found (by t + wait) take agents ahead of it."""
        inbound = inbound or InboundDemand()
        # only the seconds at which a new call can be answered matter
        first, last = model.first_answer_second, model.last_answer_second + 1
        t = slice(first, last)
        ready_by = slice(first + wait_seconds, last + wait_seconds)
        # agents on outbound calls free up at the outbound calls' pace, those serving inbound
        # callers at the inbound queues' (the model's inbound rows)
        rows = np.concatenate(
            (
                model.on_call_rows.of(agents.on_call_seconds),
                model.wrap_up_rows.of(agents.wrap_up_seconds),
                model.inbound_on_call_rows.of(agents.inbound_on_call_seconds),
                model.inbound_wrap_up_rows.of(agents.inbound_wrap_up_seconds),
            )
        )
        # sums of the chances and of their variances: agents ready by t + wait, answers before t
        free = model.agent_chances[rows, :, ready_by].sum(axis=0)
        rung = _rows(calls.ringing_seconds, len(model.live_within))
        answers = model.ringing_chances[rung, :, t].sum(axis=0)
        callers = inbound.arrivals_within(np.arange(first, last, dtype=np.float64) + wait_seconds)
        return cls(
            mean=float(agents.ready - calls.waiting - inbound.waiting)
            + free[0]
            - answers[0]
            - callers,
            variance=free[1] + answers[1] + callers + _MIN_VARIANCE,
            new_live_before=model.live_within[0, t],
            live_delay_density=model.live_delay_density[t],
        )

    def risks(self, calls: npt.NDArray[np.intp]) -> Vector:
        """Risk of the last of `calls` new calls placed now (the others may answer before it),
        for several candidate numbers of calls at once."""
        others = (calls - 1).astype(np.float64)[:, None]
        m = self.new_live_before
        z = (0.5 - self.mean + others * m) / np.sqrt(self.variance + others * (m - m * m))
        result: Vector = normal_cdf(z) @ self.live_delay_density
        return result

    def most_calls_within(self, risk_limit: float, lowest: int, highest: int) -> tuple[int, float]:
        """The most calls in [lowest, highest] whose last call's risk stays within the limit.

        The risk grows with the number of calls, so candidates are tried in growing batches:
        one batch settles the usual decision (zero or a few calls) in one array evaluation.
        """
        calls, risk, batch = lowest, 0.0, _FIRST_BATCH
        while calls < highest:
            candidates = np.arange(calls + 1, min(calls + batch, highest) + 1)
            risks = self.risks(candidates)
            within = int(np.count_nonzero(risks <= risk_limit))
            if within:
                calls, risk = calls + within, float(risks[within - 1])
            if within < len(candidates):
                break
            batch *= 2
        return calls, risk
