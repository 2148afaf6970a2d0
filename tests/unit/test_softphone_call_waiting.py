"""The keyboard phone with call waiting: an accepted waiting caller while talking, then back."""

from __future__ import annotations

from datetime import UTC, datetime

from dialer.softphone import phone
from dialer.telephony.events import EndCause, IncomingLeg, LegAnswered, LegEnded, LegId

T0 = datetime(2026, 11, 27, 8, 0, tzinfo=UTC)
FIRST = (("X-Dialer-Attempt", "42"), ("X-Dialer-Campaign", "Renewals"))
WAITING = (
    ("X-Dialer-Inbound", "7"),
    ("X-Dialer-Caller", "+15550100"),
    ("X-Dialer-Campaign", "Renewals"),
    ("x-dialer-call-waiting", "7"),
)


def invite(leg: str, headers: tuple[tuple[str, str], ...]) -> IncomingLeg:
    return IncomingLeg(LegId(leg), T0, "<sip:dialer@127.0.0.1>", "<sip:amy@127.0.0.1>", headers)


def ended(leg: str) -> LegEnded:
    return LegEnded(LegId(leg), T0, 200, "Normal", EndCause.REMOTE_HANGUP, "cid", T0)


def talking_to_first(auto_answer: bool = True) -> phone.PhoneState:
    state, _ = phone.on_event(phone.PhoneState(auto_answer=auto_answer), invite("first", FIRST))
    state, _ = phone.on_event(state, LegAnswered(LegId("first"), T0))
    return state


def talking_to_second() -> phone.PhoneState:
    state, _ = phone.on_event(talking_to_first(), invite("second", WAITING))
    state, _ = phone.on_event(state, LegAnswered(LegId("second"), T0))
    return state


def test_a_waiting_caller_rings_and_a_takes_it_keeping_the_first_call() -> None:
    state, effects = phone.on_event(talking_to_first(auto_answer=False), invite("second", WAITING))
    assert not any(isinstance(e, (phone.Answer, phone.Hangup)) for e in effects)
    assert state.call is not None and state.call.leg == "second"
    assert state.call.phase is phone.CallPhase.RINGING
    assert state.held is not None and state.held.leg == "first"
    _, effects = phone.on_key(state, "a")
    assert effects[0] == phone.Answer(LegId("second"))


def test_h_declines_a_waiting_caller_and_the_first_call_is_current_again() -> None:
    state, _ = phone.on_event(talking_to_first(auto_answer=False), invite("second", WAITING))
    state, effects = phone.on_key(state, "h")
    assert effects[0] == phone.Hangup(LegId("second"), phone.DECLINE)
    state, _ = phone.on_event(state, ended("second"))
    assert state.call is not None and state.call.leg == "first" and state.held is None
    assert state.call.phase is phone.CallPhase.TALKING


def test_an_auto_answering_phone_takes_a_waiting_caller_at_once() -> None:
    state, effects = phone.on_event(talking_to_first(), invite("second", WAITING))
    assert effects[-1] == phone.Answer(LegId("second"))
    assert not any(isinstance(e, phone.Hangup) for e in effects)
    assert state.call is not None and state.call.leg == "second"
    assert state.held is not None and state.held.leg == "first"
    shown = [e.text for e in effects if isinstance(e, phone.Show)]
    assert "inbound:  7 from +15550100" in shown


def test_an_unmarked_second_call_is_still_refused_busy() -> None:
    state, effects = phone.on_event(talking_to_first(), invite("second", FIRST))
    assert phone.Hangup(LegId("second"), phone.BUSY) in effects
    assert state.call is not None and state.call.leg == "first" and state.held is None


def test_a_waiting_caller_while_the_first_call_still_rings_is_refused_busy() -> None:
    state, _ = phone.on_event(phone.PhoneState(), invite("first", FIRST))
    _, effects = phone.on_event(state, invite("second", WAITING))
    assert phone.Hangup(LegId("second"), phone.BUSY) in effects


def test_a_third_call_is_refused_while_one_is_held() -> None:
    state, effects = phone.on_event(talking_to_second(), invite("third", WAITING))
    assert phone.Hangup(LegId("third"), phone.BUSY) in effects
    assert state.call is not None and state.call.leg == "second"


def test_keys_act_on_the_second_call_while_the_first_is_held() -> None:
    _, effects = phone.on_key(talking_to_second(), "h")
    assert effects[0] == phone.Hangup(LegId("second"))


def test_the_first_call_is_current_again_when_the_second_ends() -> None:
    state, effects = phone.on_event(talking_to_second(), ended("second"))
    assert state.call is not None and state.call.leg == "first" and state.held is None
    assert any(isinstance(e, phone.Show) and e.text.startswith("back to") for e in effects)


def test_a_held_customer_who_hangs_up_leaves_the_second_call_alone() -> None:
    state, _ = phone.on_event(talking_to_second(), ended("first"))
    assert state.call is not None and state.call.leg == "second" and state.held is None
    state, _ = phone.on_event(state, ended("second"))
    assert state.call is None


def test_quitting_hangs_up_both_calls() -> None:
    _, effects = phone.on_key(talking_to_second(), "q")
    assert effects[:2] == (phone.Hangup(LegId("second")), phone.Hangup(LegId("first")))
