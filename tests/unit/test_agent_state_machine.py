"""The agent state machine: the rules of logged out, ready, reserved, on call, wrap-up, paused."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from campaigns.agents import AgentState
from dialer.agents.errors import IllegalTransition, NotHoldingAttempt
from dialer.agents.machine import transition
from dialer.agents.model import (
    AfterCall,
    AfterCallNoted,
    AgentEvent,
    CallConnected,
    CallEnded,
    DispositionSubmitted,
    LiveStatus,
    LoggedIn,
    LoggedOut,
    Paused,
    PhoneNotAnswering,
    PreviewHoldExpired,
    ReservationReleased,
    Reserved,
    StateChanged,
    WentReady,
    WrapUpExpired,
)

T0 = datetime(2026, 11, 26, 15, 0, tzinfo=UTC)
WRAP = timedelta(seconds=30)


def at(seconds: float) -> datetime:
    return T0 + timedelta(seconds=seconds)


def run(*events: AgentEvent, status: LiveStatus | None = None) -> LiveStatus:
    status = status or LiveStatus(agent_id=7)
    for event in events:
        status, _ = transition(status, event)
    return status


def ready_at(seconds: float = 1) -> LiveStatus:
    return run(LoggedIn(frozenset({1, 2}), at(0)), WentReady(at(seconds)))


def test_logging_in_leaves_the_agent_paused_until_they_go_ready() -> None:
    status = run(LoggedIn(frozenset({1}), at(0)))
    assert (status.state, status.reason, status.campaigns) == (
        AgentState.PAUSED,
        "login",
        frozenset({1}),
    )
    ready = run(WentReady(at(5)), status=status)
    assert ready.state is AgentState.READY
    assert ready.idle_since == at(5)


def test_an_agent_who_transferred_the_call_wraps_up_with_the_reason_in_their_history() -> None:
    status = run(Reserved(41, 2, at(10)), CallConnected(41, at(11)), status=ready_at())
    status, effects = transition(status, CallEnded(41, WRAP, at(50), "transferred"))
    assert (status.state, status.reason) == (AgentState.WRAP_UP, "transferred")
    [changed] = effects
    assert isinstance(changed, StateChanged) and changed.change.reason == "transferred"
    status = run(DispositionSubmitted(41, at(60)), status=status)
    assert (status.state, status.reason) == (AgentState.READY, None)


def test_a_full_call_goes_reserved_on_call_wrap_up_and_back_to_ready() -> None:
    status = ready_at()
    status = run(Reserved(41, 2, at(10)), status=status)
    assert (status.state, status.attempt_id, status.call_campaign_id) == (
        AgentState.RESERVED,
        41,
        2,
    )
    status = run(CallConnected(41, at(11)), status=status)
    assert status.state is AgentState.ON_CALL
    status = run(CallEnded(41, WRAP, at(100)), status=status)
    assert status.state is AgentState.WRAP_UP
    assert status.wrap_up_until == at(130)
    status = run(DispositionSubmitted(41, at(110)), status=status)
    assert status.state is AgentState.READY
    assert status.idle_since == at(110)
    assert status.attempt_id is None


def test_every_change_is_one_history_row_with_the_next_change_number() -> None:
    status = ready_at()
    _, effects = transition(status, Reserved(41, 1, at(10)))
    [changed] = effects
    assert isinstance(changed, StateChanged)
    assert changed.previous is AgentState.READY
    assert changed.change.seq == status.seq + 1
    assert changed.change.state is AgentState.RESERVED
    assert changed.change.campaign_id == 1
    assert changed.change.at == at(10)


def test_only_ready_agents_of_the_campaign_can_be_reserved() -> None:
    paused = run(LoggedIn(frozenset({1}), at(0)))
    with pytest.raises(IllegalTransition, match="only ready agents"):
        transition(paused, Reserved(41, 1, at(1)))
    with pytest.raises(IllegalTransition, match="not working campaign 3"):
        transition(ready_at(), Reserved(41, 3, at(2)))


def test_a_reserved_agent_cannot_be_reserved_again() -> None:
    reserved = run(Reserved(41, 1, at(10)), status=ready_at())
    with pytest.raises(IllegalTransition):
        transition(reserved, Reserved(42, 1, at(11)))


def test_pausing_while_reserved_waits_for_the_call_then_applies() -> None:
    reserved = run(Reserved(41, 1, at(10)), status=ready_at())
    noted, effects = transition(reserved, Paused("break", at(10.5)))
    assert noted.state is AgentState.RESERVED  # the reservation holds
    assert effects == (AfterCallNoted(AfterCall(AgentState.PAUSED, "break")),)
    talked = run(
        CallConnected(41, at(11)),
        CallEnded(41, WRAP, at(60)),
        DispositionSubmitted(41, at(65)),
        status=noted,
    )
    assert (talked.state, talked.reason) == (AgentState.PAUSED, "break")


def test_a_pause_asked_while_reserved_applies_at_once_when_the_call_goes_away() -> None:
    reserved = run(Reserved(41, 1, at(10)), Paused("lunch", at(10.2)), status=ready_at())
    released = run(ReservationReleased(41, at(10.5)), status=reserved)
    assert (released.state, released.reason) == (AgentState.PAUSED, "lunch")


def test_an_unused_reservation_gives_the_agent_back_their_place_in_the_queue() -> None:
    status = run(Reserved(41, 1, at(10)), ReservationReleased(41, at(12)), status=ready_at(3))
    assert status.state is AgentState.READY
    assert status.idle_since == at(3)


def test_a_preview_held_past_its_limit_pauses_the_agent() -> None:
    status = run(Reserved(41, 1, at(10)), PreviewHoldExpired(41, at(310)), status=ready_at())
    assert (status.state, status.reason, status.attempt_id) == (
        AgentState.PAUSED,
        "preview_expired",
        None,
    )


def test_a_log_out_asked_during_a_preview_wins_over_the_expiry_pause() -> None:
    reserved = run(Reserved(41, 1, at(10)), LoggedOut(at(20)), status=ready_at())
    status = run(PreviewHoldExpired(41, at(310)), status=reserved)
    assert status.state is AgentState.LOGGED_OUT


def test_an_expiry_for_another_attempt_changes_nothing() -> None:
    reserved = run(Reserved(41, 1, at(10)), status=ready_at())
    with pytest.raises(NotHoldingAttempt):
        transition(reserved, PreviewHoldExpired(40, at(310)))


def test_a_phone_that_does_not_answer_pauses_the_agent() -> None:
    status = run(Reserved(41, 1, at(10)), PhoneNotAnswering(41, at(11)), status=ready_at())
    assert (status.state, status.reason) == (AgentState.PAUSED, "phone_not_answering")


def test_going_ready_while_busy_withdraws_an_asked_pause() -> None:
    status = run(
        Reserved(41, 1, at(10)),
        Paused("break", at(10.1)),
        WentReady(at(10.2)),
        ReservationReleased(41, at(10.5)),
        status=ready_at(),
    )
    assert status.state is AgentState.READY


def test_logging_out_during_a_call_waits_for_its_end() -> None:
    on_call = run(Reserved(41, 1, at(10)), CallConnected(41, at(11)), status=ready_at())
    asked = run(LoggedOut(at(20)), status=on_call)
    assert asked.state is AgentState.ON_CALL
    done = run(CallEnded(41, WRAP, at(30)), WrapUpExpired(at(60)), status=asked)
    assert done.state is AgentState.LOGGED_OUT
    assert done.campaigns == frozenset()


def test_a_disposition_may_ask_for_a_pause_instead_of_ready() -> None:
    wrap = run(
        Reserved(41, 1, at(10)), CallConnected(41, at(11)), CallEnded(41, WRAP, at(20)),
        status=ready_at(),
    )  # fmt: skip
    status = run(DispositionSubmitted(41, at(25), pause_reason="training"), status=wrap)
    assert (status.state, status.reason) == (AgentState.PAUSED, "training")


def test_wrap_up_expires_only_once_its_limit_has_passed() -> None:
    wrap = run(
        Reserved(41, 1, at(10)), CallConnected(41, at(11)), CallEnded(41, WRAP, at(20)),
        status=ready_at(),
    )  # fmt: skip
    with pytest.raises(IllegalTransition, match="lasts until"):
        transition(wrap, WrapUpExpired(at(49)))
    expired = run(WrapUpExpired(at(50)), status=wrap)
    assert expired.state is AgentState.READY
    assert expired.idle_since == at(50)


def test_hand_backs_for_another_attempt_are_refused_as_not_holding() -> None:
    reserved = run(Reserved(41, 1, at(10)), status=ready_at())
    with pytest.raises(NotHoldingAttempt):
        transition(reserved, CallConnected(99, at(11)))
    with pytest.raises(NotHoldingAttempt):
        transition(ready_at(), ReservationReleased(41, at(11)))


def test_a_disposition_outside_wrap_up_is_refused() -> None:
    on_call = run(Reserved(41, 1, at(10)), CallConnected(41, at(11)), status=ready_at())
    with pytest.raises(IllegalTransition, match="submit a disposition"):
        transition(on_call, DispositionSubmitted(41, at(12)))


def test_logged_out_agents_must_log_in_before_anything_else() -> None:
    out = LiveStatus(agent_id=7)
    for event in (WentReady(at(1)), Paused("break", at(1))):
        with pytest.raises(IllegalTransition, match="log in first"):
            transition(out, event)
    with pytest.raises(IllegalTransition, match="no campaign"):
        transition(out, LoggedIn(frozenset(), at(1)))
    with pytest.raises(IllegalTransition, match="already logged in"):
        transition(ready_at(), LoggedIn(frozenset({1}), at(2)))


def test_asking_for_the_current_state_changes_nothing() -> None:
    ready = ready_at()
    assert transition(ready, WentReady(at(5))) == (ready, ())
    paused = run(Paused("break", at(6)), status=ready)
    assert transition(paused, Paused("break", at(7))) == (paused, ())
    assert transition(LiveStatus(7), LoggedOut(at(1))) == (LiveStatus(7), ())


def test_a_new_pause_reason_is_a_new_state() -> None:
    paused = run(Paused("break", at(6)), status=ready_at())
    changed, effects = transition(paused, Paused("lunch", at(7)))
    assert changed.reason == "lunch"
    assert len(effects) == 1


def test_an_event_stamped_before_the_current_state_counts_from_its_start() -> None:
    reserved = run(Reserved(41, 1, at(10)), status=ready_at())
    connected = run(CallConnected(41, at(9)), status=reserved)  # another host's slower clock
    assert connected.since == at(10)
