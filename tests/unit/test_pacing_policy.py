"""The pure pacing policies: what decide() promises whatever the floor looks like."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dialer.pacing import (
    AbandonmentCounts,
    AgentFloor,
    AgentObservation,
    AgentState,
    Alarm,
    CallObservation,
    CallPhase,
    CallsInFlight,
    ControllerState,
    ControllerTuning,
    DecisionReason,
    PacingInputs,
    PacingPolicy,
    PolicyKind,
    controller,
    decide,
    progressive_calls,
)
from tests.unit.pacing_fixtures import COLD_MODEL, MODEL, inputs, ramped

PREDICTIVE = PacingPolicy()
PROGRESSIVE = PacingPolicy(kind=PolicyKind.PROGRESSIVE)

seconds = st.floats(min_value=0.0, max_value=4000.0, allow_nan=False)
ring_seconds = st.floats(min_value=0.0, max_value=60.0, allow_nan=False)


@st.composite
def floors(draw: st.DrawFn) -> PacingInputs:
    live = draw(st.integers(0, 5000))
    abandoned = draw(st.integers(0, max(live // 10, 0)))
    return inputs(
        ready=draw(st.integers(0, 60)),
        on_call=tuple(draw(st.lists(seconds, max_size=80))),
        wrap_up=tuple(draw(st.lists(st.floats(0.0, 300.0), max_size=30))),
        ringing=tuple(draw(st.lists(ring_seconds, max_size=120))),
        waiting=draw(st.integers(0, 5)),
        free_lines=draw(st.integers(-3, 400)),
        dial_allowance=draw(st.integers(0, 100)),
        abandonment=AbandonmentCounts(
            abandoned, live, abandoned, live, draw(st.floats(0.0, 500.0))
        ),
        model=draw(st.sampled_from([MODEL, COLD_MODEL, None])),
    )


policies = st.builds(
    PacingPolicy,
    kind=st.sampled_from(list(PolicyKind)),
    ratio=st.floats(1.0, 8.0),
    amd_false_positive_rate=st.sampled_from([0.0, 0.01, 0.05]),
    max_wait_seconds=st.sampled_from([1.2, 2.0]),
)


@settings(max_examples=120, deadline=None)
@given(floors(), policies)
def test_never_places_more_calls_than_free_lines_or_the_cps_allowance(
    state: PacingInputs, policy: PacingPolicy
) -> None:
    decision = decide(state, policy)
    assert decision.calls <= max(state.free_lines, 0)
    assert decision.calls <= state.dial_allowance


@settings(max_examples=120, deadline=None)
@given(floors(), policies)
def test_never_places_a_negative_number_of_calls(state: PacingInputs, policy: PacingPolicy) -> None:
    assert decide(state, policy).calls >= 0


@settings(max_examples=120, deadline=None)
@given(floors(), policies)
def test_never_dials_fewer_than_one_call_per_idle_agent_when_lines_allow(
    state: PacingInputs, policy: PacingPolicy
) -> None:
    limit = min(state.free_lines, state.dial_allowance)
    assert decide(state, policy).calls >= min(progressive_calls(state), max(limit, 0))


@settings(max_examples=80, deadline=None)
@given(floors())
def test_progressive_dials_exactly_one_call_per_idle_agent_not_already_covered(
    state: PacingInputs,
) -> None:
    limit = max(min(state.free_lines, state.dial_allowance), 0)
    expected = min(max(state.agents.ready - state.calls.count, 0), limit)
    assert decide(state, PROGRESSIVE).calls == expected


@settings(max_examples=80, deadline=None)
@given(floors())
def test_predictive_falls_back_to_progressive_while_warming_up(state: PacingInputs) -> None:
    cold = replace(state, model=COLD_MODEL)
    decision = decide(cold, PREDICTIVE)
    if decision.reason is not DecisionReason.NO_LINES:
        assert decision.reason is DecisionReason.WARMING_UP
        assert decision.calls == min(progressive_calls(cold), cold.free_lines, cold.dial_allowance)


@settings(max_examples=80, deadline=None)
@given(floors(), st.integers(100, 5000))
def test_predictive_is_progressive_when_one_more_abandon_would_pass_the_cap(
    state: PacingInputs, live: int
) -> None:
    at_cap = AbandonmentCounts(int(0.03 * (live + 1)), live, int(0.03 * (live + 1)), live)
    braked = replace(state, abandonment=at_cap)
    limit = max(min(state.free_lines, state.dial_allowance), 0)
    assert decide(braked, PREDICTIVE).calls == min(progressive_calls(braked), limit)


@settings(max_examples=80, deadline=None)
@given(floors(), st.floats(0.0, 10_000.0))
def test_the_risk_limit_stays_within_its_bounds(state: PacingInputs, later: float) -> None:
    first = decide(state, PREDICTIVE)
    again = decide(replace(state, now=state.now + later, controller=first.controller), PREDICTIVE)
    tuning = PREDICTIVE.controller
    assert tuning.min_risk <= again.controller.risk_limit <= tuning.max_risk


@settings(max_examples=120, deadline=None)
@given(floors(), policies)
def test_each_call_placed_by_the_model_carries_its_risk_the_last_the_decisions(
    state: PacingInputs, policy: PacingPolicy
) -> None:
    decision = decide(state, policy)
    if decision.reason is not DecisionReason.PREDICTIVE:
        assert decision.call_risks == ()
        return
    risks = decision.call_risks
    assert len(risks) == decision.calls
    assert all(0.0 <= r <= 1.0 for r in risks)
    assert list(risks) == sorted(risks)  # each call risks no less than the ones before it
    if risks:
        assert risks[-1] == pytest.approx(decision.risk)


def test_dials_ahead_of_idle_agents_when_agents_are_about_to_free_up() -> None:
    busy = inputs(ready=0, on_call=(900.0,) * 10, wrap_up=(15.0,) * 5)
    decision = decide(busy, PREDICTIVE)
    assert decision.reason is DecisionReason.PREDICTIVE
    assert decision.calls > 0


def test_does_not_dial_when_every_agent_has_just_started_a_call() -> None:
    assert decide(inputs(ready=0, on_call=(1.0,) * 10), PREDICTIVE).calls == 0


def test_calls_already_ringing_reduce_what_is_placed() -> None:
    floor = {"ready": 2, "on_call": (300.0,) * 20, "wrap_up": (10.0,) * 3}
    quiet = decide(inputs(**floor), PREDICTIVE).calls  # type: ignore[arg-type]
    busy = decide(inputs(**floor, ringing=(5.0,) * 12), PREDICTIVE).calls  # type: ignore[arg-type]
    assert busy < quiet


def test_a_higher_risk_limit_never_places_fewer_calls() -> None:
    state = inputs(ready=3, on_call=tuple(float(s) for s in range(0, 600, 20)))
    low = decide(replace(state, controller=ControllerState(0.01, state.now, 0.01, 0.0)), PREDICTIVE)
    high = decide(replace(state, controller=ControllerState(0.2, state.now, 0.2, 0.0)), PREDICTIVE)
    assert high.calls >= low.calls


def test_falls_back_below_the_minimum_number_of_agents() -> None:
    decision = decide(inputs(ready=1, on_call=(500.0,)), PacingPolicy(min_agents=3))
    assert decision.reason is DecisionReason.TOO_FEW_AGENTS
    assert decision.calls == 1


def test_alarms_and_stays_progressive_when_amd_false_positives_alone_pass_the_cap() -> None:
    policy = PacingPolicy(amd_false_positive_rate=0.05)
    decision = decide(inputs(ready=4, on_call=(600.0,) * 20), policy)
    assert Alarm.AMD_FALSE_POSITIVES_ABOVE_CAP in decision.alarms
    assert decision.reason is DecisionReason.CAP_UNREACHABLE
    assert decision.calls == 4


def test_alarms_when_a_window_is_above_the_cap() -> None:
    over = AbandonmentCounts(5, 1000, 40, 1000)
    assert Alarm.ABANDONMENT_ABOVE_CAP in decide(inputs(abandonment=over), PREDICTIVE).alarms


def test_the_thirty_day_window_brakes_even_when_the_day_is_fine() -> None:
    month_at_cap = AbandonmentCounts(0, 500, 300, 10_000)
    state = inputs(ready=2, on_call=(900.0,) * 20, abandonment=month_at_cap)
    decision = decide(state, PREDICTIVE)
    assert decision.reason is DecisionReason.NEAR_CAP
    assert decision.calls == 2


def test_fixed_ratio_keeps_ratio_times_idle_agents_in_flight() -> None:
    policy = PacingPolicy(kind=PolicyKind.FIXED_RATIO, ratio=2.5)
    assert decide(inputs(ready=4, ringing=(3.0,) * 4), policy).calls == 6


def test_without_free_lines_nothing_is_dialled() -> None:
    decision = decide(inputs(ready=5, free_lines=0), PREDICTIVE)
    assert (decision.calls, decision.reason) == (0, DecisionReason.NO_LINES)


def test_the_scheduler_can_build_inputs_from_one_observation_per_agent_and_call() -> None:
    agents = AgentFloor.of(
        [
            AgentObservation(AgentState.READY, 12.0),
            AgentObservation(AgentState.RESERVED, 0.5),
            AgentObservation(AgentState.ON_CALL, 95.0),
            AgentObservation(AgentState.WRAP_UP, 4.0),
            AgentObservation(AgentState.PAUSED, 60.0),
        ]
    )
    calls = CallsInFlight.of(
        [
            CallObservation(CallPhase.RINGING, 6.0),
            CallObservation(CallPhase.WAITING_FOR_AGENT, 9.0),
        ]
    )
    assert (agents.ready, agents.paused, agents.working) == (1, 1, 4)
    assert np.array_equal(agents.on_call_seconds, [0.0, 95.0])
    assert (calls.count, calls.waiting) == (2, 1)


def test_the_risk_limit_rises_under_the_target_and_falls_above_it() -> None:
    start = ControllerState(0.05, 0.0, 0.05)
    under = AbandonmentCounts(5, 1000, 5, 1000)
    over = AbandonmentCounts(29, 1000, 29, 1000)
    later = PREDICTIVE.controller.interval_seconds
    calm = decide(replace(inputs(abandonment=under), now=later, controller=start), PREDICTIVE)
    tense = decide(replace(inputs(abandonment=over), now=later, controller=start), PREDICTIVE)
    assert calm.controller.risk_limit > 0.05 > tense.controller.risk_limit


# -- the ramp after warm-up: the risk limit grows from nothing over `ramp_seconds` --------------

BUSY_FLOOR = {
    "ready": 1,
    "on_call": tuple(float(s) for s in range(100, 1100, 50)),
    "wrap_up": (15.0,) * 5,
}


def test_a_day_starts_at_the_target_and_a_surplus_is_spent_slowly() -> None:
    """Warm-up abandons no one: its spare abandons must not raise the risk limit by e at once
    (the first live minutes after warm-up abandoned in bursts when they did)."""
    assert ControllerState.initial(PREDICTIVE).risk_limit == PREDICTIVE.abandon_target
    spare = AbandonmentCounts(0, 400, 0, 400)  # 10 abandons to spare: 3.2 noise units
    assert controller.surplus(spare, PREDICTIVE) == PREDICTIVE.controller.spend_clip
    first = controller.adjust(ControllerState.initial(PREDICTIVE), spare, PREDICTIVE, 0.0)
    tuning = PREDICTIVE.controller
    boost = np.exp(tuning.proportional_gain * tuning.spend_clip)
    assert first.risk_limit == pytest.approx(tuning.initial_risk * boost)
    far_over = AbandonmentCounts(40, 400, 40, 400)
    assert controller.surplus(far_over, PREDICTIVE) == -2.0  # a deficit still counts in full


def _fresh(state: PacingInputs) -> PacingInputs:
    """The same floor at the first decision after warm-up: the controller has never gone
    predictive."""
    return replace(state, controller=ControllerState.initial(PREDICTIVE))


def test_the_first_predictive_decision_after_warm_up_dials_one_call_per_idle_agent() -> None:
    full = inputs(**BUSY_FLOOR)  # type: ignore[arg-type]
    assert decide(full, PREDICTIVE).calls > progressive_calls(full)
    first = decide(_fresh(full), PREDICTIVE)
    assert first.reason is DecisionReason.PREDICTIVE
    assert first.calls == progressive_calls(full)
    assert first.controller.predictive_since == full.now


def test_the_dial_level_rises_over_the_ramp_to_the_full_decision() -> None:
    # a controller that keeps its limit for the whole ramp: only the ramp moves
    policy = PacingPolicy(controller=ControllerTuning(interval_seconds=10_000.0))
    full = inputs(**BUSY_FLOOR)  # type: ignore[arg-type]
    start = decide(_fresh(full), policy).controller
    placed = [
        decide(replace(full, now=full.now + policy.ramp_seconds * share, controller=start), policy)
        for share in (0.0, 0.25, 0.5, 0.75, 1.0, 3.0)
    ]
    calls = [decision.calls for decision in placed]
    assert calls == sorted(calls)
    assert calls[0] < calls[4] == calls[-1] == decide(full, policy).calls


def test_a_fallback_restarts_the_ramp() -> None:
    cold = decide(inputs(**BUSY_FLOOR, model=COLD_MODEL), PREDICTIVE)  # type: ignore[arg-type]
    assert cold.reason is DecisionReason.WARMING_UP
    assert cold.controller.predictive_since is None
    few = decide(inputs(ready=1, on_call=(500.0,)), PacingPolicy(min_agents=3))
    assert few.controller.predictive_since is None


def test_a_policy_without_a_ramp_uses_the_full_risk_limit_at_once() -> None:
    full = inputs(**BUSY_FLOOR)  # type: ignore[arg-type]
    no_ramp = PacingPolicy(ramp_seconds=0.0)
    assert decide(_fresh(full), no_ramp).calls == decide(full, no_ramp).calls


@settings(max_examples=80, deadline=None)
@given(floors(), st.floats(0.0, 600.0))
def test_during_the_ramp_never_more_calls_than_after_it(state: PacingInputs, since: float) -> None:
    ramping = replace(
        state, controller=replace(ramped(PREDICTIVE), predictive_since=state.now - since)
    )
    assert decide(ramping, PREDICTIVE).calls <= decide(state, PREDICTIVE).calls
