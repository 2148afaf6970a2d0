"""The pure state machine: effects as data, time passed in, robust to any event order."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dialer.call_flow import AgentRef, Phase, Timer, start, transition
from dialer.call_flow.effects import Hangup, Originate, RecordOutcome, StartTimer
from dialer.call_flow.inputs import AgentClaimed, FlowEvent, NoAgentAvailable, TimerFired
from dialer.telephony import (
    EndCause,
    LegAnswered,
    LegDialing,
    LegEnded,
    LegId,
    LegRinging,
    PlaybackFinished,
    StopRequested,
)

from .call_flow_support import spec

pytestmark = pytest.mark.unit

T0 = datetime(2025, 3, 3, 14, 0, tzinfo=UTC)
CUSTOMER = LegId("a1:customer")
AGENT = LegId("a1:agent1")


def test_start_dials_the_customer_with_caller_id_and_starts_the_ring_timer() -> None:
    state, effects = start(spec(ring=20), T0)
    originate, ring = effects
    assert isinstance(originate, Originate)
    assert originate.request.leg == CUSTOMER
    assert originate.request.from_uri == "<sip:+14155550100@127.0.0.1:15060>"
    assert ring == StartTimer(Timer.RING, T0 + timedelta(seconds=20))
    assert state.phase is Phase.DIALING


def test_ring_timeout_asks_for_a_cancel_and_waits_for_the_leg_to_end() -> None:
    state, _ = start(spec(), T0)
    state, _ = transition(state, LegRinging(CUSTOMER, T0, 180, early_media=False))
    state, effects = transition(state, TimerFired(Timer.RING, T0 + timedelta(seconds=25)))
    assert Hangup(CUSTOMER) in effects
    assert state.phase is Phase.ENDING
    assert not any(isinstance(e, RecordOutcome) for e in effects)


def test_events_about_other_legs_change_nothing() -> None:
    state, _ = start(spec(), T0)
    after, effects = transition(state, LegAnswered(LegId("someone-else"), T0))
    assert after == state and effects == ()


def test_a_finished_attempt_ignores_late_events() -> None:
    state, _ = start(spec(), T0)
    ended = LegEnded(CUSTOMER, T0, 486, "Busy Here", EndCause.REMOTE_REJECTED, "x", None)
    state, effects = transition(state, ended)
    assert state.phase is Phase.DONE
    assert any(isinstance(e, RecordOutcome) for e in effects)
    assert transition(state, LegAnswered(CUSTOMER, T0)) == (state, ())


def _event(kind: int, offset: float) -> FlowEvent:
    at = T0 + timedelta(seconds=offset)
    return [
        LegDialing(CUSTOMER, at, "cid"),
        LegRinging(CUSTOMER, at, 180, early_media=False),
        LegAnswered(CUSTOMER, at),
        LegEnded(CUSTOMER, at, 200, "BYE", EndCause.REMOTE_HANGUP, "cid", at),
        LegEnded(CUSTOMER, at, 487, "Terminated", EndCause.LOCAL_HANGUP, "cid", None),
        AgentClaimed(AgentRef("alice", "sip:alice@127.0.0.1"), at),
        NoAgentAvailable(at),
        LegAnswered(AGENT, at),
        LegEnded(AGENT, at, 486, "Busy", EndCause.REMOTE_REJECTED, "cid2", None),
        TimerFired(Timer.RING, at),
        TimerFired(Timer.ABANDON, at),
        TimerFired(Timer.MAX_TALK, at),
        TimerFired(Timer.ENDING_GUARD, at),
        PlaybackFinished(CUSTOMER, at, "p1"),
        StopRequested(at, at + timedelta(seconds=5)),
    ][kind]


@settings(max_examples=300, deadline=None)
@given(
    handoff=st.booleans(),
    events=st.lists(st.tuples(st.integers(0, 14), st.floats(0, 60)), max_size=25),
)
def test_any_event_order_records_at_most_one_outcome(
    handoff: bool, events: list[tuple[int, float]]
) -> None:
    state, effects = start(spec(handoff=handoff), T0)
    recorded = 0
    for kind, offset in sorted(events, key=lambda e: e[1]):
        state, effects = transition(state, _event(kind, offset))
        recorded += sum(isinstance(e, RecordOutcome) for e in effects)
    assert recorded <= 1
    assert (recorded == 1) == (state.phase is Phase.DONE)
