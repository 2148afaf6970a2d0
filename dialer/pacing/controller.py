"""Day-level control: move the per-call risk limit so the measured rate tracks the target.

The per-call risk limit alone does not fix the day's rate (the model is approximate, the list
changes); an integral controller closes the loop, and a brake scales the limit down to nothing as
a window's rate approaches the cap, where pacing becomes progressive (which abandons no one).
"""

from __future__ import annotations

import math
from dataclasses import replace

from dialer.pacing.observations import AbandonmentCounts
from dialer.pacing.policy import AbandonWindow, ControllerState, PacingPolicy


def window_counts(counts: AbandonmentCounts, window: AbandonWindow) -> tuple[float, float]:
    """(abandoned, live answers) in one window, the people AMD is estimated to have hung up on
    counted in both (as the rules count them)."""
    if window is AbandonWindow.DAY:
        people = counts.amd_people_hung_up_today
        return counts.abandoned_today + people, counts.live_answers_today + people
    people = counts.amd_people_hung_up_30_days
    return counts.abandoned_30_days + people, counts.live_answers_30_days + people


def measured_rate(counts: AbandonmentCounts, policy: PacingPolicy) -> tuple[float, float]:
    """The highest projected rate over the policy's windows, with that window's live answers."""
    worst, live_of_worst = 0.0, 0.0
    for window in policy.windows:
        abandoned, live = window_counts(counts, window)
        projected = live + counts.live_answers_expected
        if projected > 0 and abandoned / projected >= worst:
            worst, live_of_worst = abandoned / projected, live
    return worst, live_of_worst


def brake(counts: AbandonmentCounts, policy: PacingPolicy) -> float:
    """1 while every window could take `brake_abandons` more abandons (with one more live answer)
    and stay within the cap, falling to 0 where one more abandon would pass it.

    The controller keeps the rate near the target; this is the hard stop under the cap. It is
    counted in abandons, not in rate, so a small team is not braked by its own granularity.
    """
    factor = 1.0
    for window in policy.windows:
        abandoned, live = window_counts(counts, window)
        projected = live + 1 + counts.live_answers_expected
        spare = policy.abandon_cap * projected - abandoned - 1
        factor = min(factor, spare / policy.brake_abandons)
    return min(max(factor, 0.0), 1.0)


def surplus(counts: AbandonmentCounts, policy: PacingPolicy) -> float:
    """Abandons still to spend before the tightest window reaches the target, in units of the
    window's Poisson noise (so 2 abandons to spare means more in a small window than a large one).

    Clipped at 2 below (far over the target) and at `spend_clip` above: a surplus is spent
    slowly. Warm-up abandons no one, so the first predictive minutes always start with one; with
    the same clip both ways, the risk limit rose by e (2 x 0.5 gain) at once and those minutes
    abandoned 3.6 % of their answers in simulated 10-minute days (2.5 % with the clip at 0.5,
    at higher occupancy: fewer stops at the cap). Over 8-hour days it changes nothing measurable.
    """
    lowest = math.inf
    for window in policy.windows:
        abandoned, live = window_counts(counts, window)
        allowed = policy.abandon_target * live
        lowest = min(lowest, (allowed - abandoned) / math.sqrt(max(allowed, 1.0)))
    return min(max(lowest, -_SURPLUS_CLIP), policy.controller.spend_clip)


_SURPLUS_CLIP = 2.0


def adjust(
    state: ControllerState, counts: AbandonmentCounts, policy: PacingPolicy, now: float
) -> ControllerState:
    """Proportional-integral control on the surplus of abandons.

    The surplus is already the integral of (target - rate): reacting to it in proportion damps
    the loop, and a slow integral finds the risk limit at which this campaign's calls land on
    the target (it differs with team size and answer rate because the risk model is approximate).
    """
    tuning = policy.controller
    if state.adjusted_at is not None and now - state.adjusted_at < tuning.interval_seconds:
        return state
    error = surplus(counts, policy)
    base = state.base_risk_limit
    if state.adjusted_at is not None:
        base = math.exp(math.log(base) + tuning.integral_gain * error)
        base = min(max(base, tuning.min_risk), tuning.max_risk)
    limit = base * math.exp(tuning.proportional_gain * error)
    return replace(
        state,
        risk_limit=min(max(limit, tuning.min_risk), tuning.max_risk),
        adjusted_at=now,
        base_risk_limit=base,
    )


def ramp(state: ControllerState, policy: PacingPolicy, now: float) -> float:
    """The share of the risk limit pacing may use now: 0 at the first predictive decision after
    a fallback (only calls that risk no one: about one per idle agent), rising linearly to 1
    over `ramp_seconds`.

    Warm-up ends on a model learned from a few dozen talks, and the surplus of abandons it saved
    would otherwise be spent at once: the dial level jumped from 1 to 3.5 in the first seconds
    of the live bench. A ramp lets the controller see the first predictive answers before the
    full limit applies; it costs at most `ramp_seconds / 2` of predictive dialling.
    """
    if policy.ramp_seconds <= 0:
        return 1.0
    if state.predictive_since is None:
        return 0.0
    return min(max((now - state.predictive_since) / policy.ramp_seconds, 0.0), 1.0)
