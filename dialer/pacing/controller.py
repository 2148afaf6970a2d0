"""Day-level control: move the per-call risk limit so the measured rate tracks the target.

The per-call risk limit alone does not fix the day's rate (the model is approximate, the list
changes); an integral controller closes the loop, and a brake scales the limit down to nothing as
a window's rate approaches the cap, where pacing becomes progressive (which abandons no one).
"""

from __future__ import annotations

import math

from dialer.pacing.observations import AbandonmentCounts
from dialer.pacing.policy import AbandonWindow, ControllerState, PacingPolicy


def window_counts(counts: AbandonmentCounts, window: AbandonWindow) -> tuple[int, int]:
    """(abandoned, live answers) in one window."""
    if window is AbandonWindow.DAY:
        return counts.abandoned_today, counts.live_answers_today
    return counts.abandoned_30_days, counts.live_answers_30_days


def measured_rate(counts: AbandonmentCounts, policy: PacingPolicy) -> tuple[float, int]:
    """The highest rate over the policy's windows, with that window's live answers."""
    worst, live_of_worst = 0.0, 0
    for window in policy.windows:
        abandoned, live = window_counts(counts, window)
        if live > 0 and abandoned / live >= worst:
            worst, live_of_worst = abandoned / live, live
    return worst, live_of_worst


def brake(counts: AbandonmentCounts, policy: PacingPolicy) -> float:
    """1 while every window's rate with one more abandon is within the target, 0 at the cap."""
    factor = 1.0
    room = policy.abandon_cap - policy.abandon_target
    for window in policy.windows:
        abandoned, live = window_counts(counts, window)
        projected = (abandoned + 1) / (live + 1)
        factor = min(factor, (policy.abandon_cap - projected) / room)
    return min(max(factor, 0.0), 1.0)


def adjust(
    state: ControllerState, counts: AbandonmentCounts, policy: PacingPolicy, now: float
) -> ControllerState:
    tuning = policy.controller
    if state.adjusted_at is None:
        return ControllerState(state.risk_limit, now)
    if now - state.adjusted_at < tuning.interval_seconds:
        return state
    rate, live = measured_rate(counts, policy)
    if live == 0:
        return ControllerState(state.risk_limit, now)
    error = (policy.abandon_target - rate) / policy.abandon_target
    # a day's first answers say little about its rate; an off-target rate may push hard downwards
    weight = min(1.0, live / tuning.confident_live_answers)
    step = tuning.gain * weight * min(max(error, -2.0), 1.0)
    limit = math.exp(math.log(state.risk_limit) + step)
    return ControllerState(min(max(limit, tuning.min_risk), tuning.max_risk), now)
