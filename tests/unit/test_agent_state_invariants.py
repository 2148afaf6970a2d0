"""Whatever happens to an agent, in any order, its status stays coherent (hypothesis)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from campaigns.agents import AgentState
from dialer.agents.errors import IllegalTransition
from dialer.agents.machine import transition
from dialer.agents.model import (
    BUSY_STATES,
    AgentEvent,
    CallConnected,
    CallEnded,
    DispositionSubmitted,
    LiveStatus,
    LoggedIn,
    LoggedOut,
    Paused,
    PhoneNotAnswering,
    ReservationReleased,
    Reserved,
    StateChanged,
    WentReady,
    WrapUpExpired,
)

T0 = datetime(2026, 11, 26, 15, 0, tzinfo=UTC)
attempts = st.sampled_from([1, 2])
campaigns = st.sampled_from([1, 2, 3])
reasons = st.sampled_from(["break", "lunch"])
moments = st.integers(min_value=0, max_value=600).map(lambda s: T0 + timedelta(seconds=s))
limits = st.integers(min_value=5, max_value=60).map(lambda s: timedelta(seconds=s))

events: st.SearchStrategy[AgentEvent] = st.one_of(
    st.builds(LoggedIn, st.frozensets(campaigns, max_size=3), moments),
    st.builds(WentReady, moments),
    st.builds(Paused, reasons, moments),
    st.builds(LoggedOut, moments),
    st.builds(Reserved, attempts, campaigns, moments),
    st.builds(CallConnected, attempts, moments),
    st.builds(CallEnded, attempts, limits, moments),
    st.builds(ReservationReleased, attempts, moments),
    st.builds(PhoneNotAnswering, attempts, moments),
    st.builds(DispositionSubmitted, attempts, moments, st.none() | reasons),
    st.builds(WrapUpExpired, moments),
)


def check(status: LiveStatus) -> None:
    state = status.state
    assert (state is AgentState.LOGGED_OUT) == (not status.campaigns)
    assert (state is AgentState.PAUSED) == (status.reason is not None)
    assert (state in BUSY_STATES) == (status.attempt_id is not None)
    if state in BUSY_STATES:
        assert status.call_campaign_id in status.campaigns
    assert (state is AgentState.READY) <= (status.idle_since is not None)
    assert (state is AgentState.WRAP_UP) == (status.wrap_up_until is not None)
    assert status.after_call is None or state in BUSY_STATES


@settings(max_examples=400, deadline=None)
@given(st.lists(events, max_size=40))
def test_any_sequence_of_events_keeps_the_status_coherent(sequence: list[AgentEvent]) -> None:
    status = LiveStatus(agent_id=1)
    for event in sequence:
        try:
            after, effects = transition(status, event)
        except IllegalTransition:
            continue  # refused: the status is untouched by construction (pure function)
        check(after)
        changes = [e for e in effects if isinstance(e, StateChanged)]
        # One history row per change of state, numbered in order, never back in time.
        assert after.seq == status.seq + len(changes)
        assert len(changes) <= 1
        if changes:
            assert changes[0].previous is status.state
            assert changes[0].change == after.change()
        assert after.since >= status.since
        status = after


@settings(max_examples=200, deadline=None)
@given(st.lists(events, max_size=40))
def test_a_reserved_or_busy_agent_holds_exactly_one_call(sequence: list[AgentEvent]) -> None:
    status = LiveStatus(agent_id=1)
    for event in sequence:
        try:
            after, _ = transition(status, event)
        except IllegalTransition:
            continue
        if status.state in BUSY_STATES and after.state in BUSY_STATES:
            # Inside one call the attempt never changes: no second call while holding one.
            assert after.attempt_id == status.attempt_id
        if isinstance(event, Reserved):
            assert status.state is AgentState.READY
        status = after
