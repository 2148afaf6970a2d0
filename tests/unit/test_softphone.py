"""The softphone's pure parts: the screen pop, the keyboard phone, the robot and its dice."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from dialer.softphone import phone, robot
from dialer.softphone.dice import DispositionMix, Draw, MixError, RobotDice, TalkTime
from dialer.softphone.screen_pop import screen_pop
from dialer.telephony.events import EndCause, LegAnswered, LegEnded, LegId
from dialer.telephony.user_agent import Registration, UserAgentConfigError

from .softphone_calls import HEADERS, T0, incoming


def ended(leg: str = "in-1", at: datetime = T0, answered: bool = True) -> LegEnded:
    cause = EndCause.REMOTE_HANGUP
    return LegEnded(LegId(leg), at, 200, "Normal", cause, "cid", T0 if answered else None)


def test_screen_pop_reads_the_dialer_headers_whatever_their_case() -> None:
    pop = screen_pop("<sip:dialer@127.0.0.1>", HEADERS)
    assert (pop.attempt_id, pop.contact_id) == (42, 1042)
    assert (pop.contact_name, pop.campaign) == ("Ada Lovelace", "Spring renewals")
    assert pop.lines()[0] == "caller:   sip:dialer@127.0.0.1"
    assert "contact:  Ada Lovelace" in pop.lines()


def test_a_plain_call_shows_only_its_caller() -> None:
    pop = screen_pop("<sip:bob@10.0.0.7>", ())
    assert pop.lines() == ["caller:   sip:bob@10.0.0.7"]
    assert pop.attempt_id is None


def test_a_ringing_call_shows_the_screen_pop_and_waits_for_the_answer_key() -> None:
    state, effects = phone.on_event(phone.PhoneState(), incoming())
    shown = [e.text for e in effects if isinstance(e, phone.Show)]
    assert "contact:  Ada Lovelace" in shown and "campaign: Spring renewals" in shown
    assert not any(isinstance(e, phone.Answer) for e in effects)
    state, effects = phone.on_key(state, "a")
    assert phone.Answer(LegId("in-1")) in effects


def test_auto_answer_answers_as_the_call_arrives() -> None:
    _, effects = phone.on_event(phone.PhoneState(auto_answer=True), incoming())
    assert effects[-1] == phone.Answer(LegId("in-1"))


def test_a_second_call_is_refused_busy_while_one_rings() -> None:
    state, _ = phone.on_event(phone.PhoneState(), incoming())
    state, effects = phone.on_event(state, incoming("in-2"))
    assert phone.Hangup(LegId("in-2"), 486) in effects
    assert state.call is not None and state.call.leg == "in-1"


def test_keys_mute_hold_and_send_digits_while_talking() -> None:
    state, _ = phone.on_event(phone.PhoneState(auto_answer=True), incoming())
    state, _ = phone.on_event(state, LegAnswered(LegId("in-1"), T0))
    state, effects = phone.on_key(state, "m")
    assert phone.Mute(LegId("in-1"), True) in effects
    state, effects = phone.on_key(state, "m")
    assert phone.Mute(LegId("in-1"), False) in effects
    state, effects = phone.on_key(state, "p")
    assert phone.Hold(LegId("in-1"), True) in effects
    _, effects = phone.on_key(state, "5")
    assert phone.Dtmf(LegId("in-1"), "5") in effects


def test_digits_do_nothing_while_ringing_and_h_declines() -> None:
    state, _ = phone.on_event(phone.PhoneState(), incoming())
    assert phone.on_key(state, "5")[1] == ()
    assert phone.Hangup(LegId("in-1"), 603) in phone.on_key(state, "h")[1]


def test_the_call_ending_frees_the_phone_for_the_next() -> None:
    state, _ = phone.on_event(phone.PhoneState(), incoming())
    state, _ = phone.on_event(state, ended())
    assert state.call is None
    _, effects = phone.on_key(state, "q")
    assert effects[-1] == phone.Quit()


DRAW = Draw(talk_s=12.0, code="sale")


def test_robot_answers_talks_for_the_drawn_time_then_hangs_up() -> None:
    state, effects = robot.offered(robot.RobotState(), incoming(), DRAW)
    assert effects == (robot.AnswerAndTalk(LegId("in-1")),)
    assert robot.next_deadline(state) == T0 + timedelta(seconds=12)
    assert robot.tick(state, robot.Tick(T0 + timedelta(seconds=11)))[1] == ()
    state, effects = robot.tick(state, robot.Tick(T0 + timedelta(seconds=12)))
    assert effects == (robot.HangUp(LegId("in-1")),)
    assert robot.tick(state, robot.Tick(T0 + timedelta(seconds=13)))[1] == ()


def test_robot_records_the_drawn_code_for_the_attempt_after_its_wrap_time() -> None:
    state, _ = robot.offered(robot.RobotState(), incoming(), DRAW)
    state, effects = robot.ended(state, ended(at=T0 + timedelta(seconds=5)), timedelta(seconds=2))
    assert effects == () and state.phase is robot.RobotPhase.WRAPPING
    state, effects = robot.tick(state, robot.Tick(T0 + timedelta(seconds=7)))
    assert effects == (robot.SubmitDisposition(42, "sale"),)
    state, _ = robot.disposition_sent(state, robot.DispositionSent(T0 + timedelta(seconds=8)))
    assert state.phase is robot.RobotPhase.IDLE and state.calls == 1


def test_robot_refuses_a_second_call_and_counts_it() -> None:
    state, _ = robot.offered(robot.RobotState(), incoming(), DRAW)
    state, effects = robot.offered(state, incoming("in-2"), DRAW)
    assert effects == (robot.Refuse(LegId("in-2"), 486),)
    assert state.refused_while_busy == 1 and state.leg == "in-1"


def test_robot_has_nothing_to_record_for_a_call_without_an_attempt() -> None:
    state, _ = robot.offered(robot.RobotState(), incoming(headers=()), DRAW)
    state, effects = robot.ended(state, ended(), timedelta(seconds=1))
    assert state.phase is robot.RobotPhase.IDLE and effects == ()


INBOUND_HEADERS = (
    ("X-Dialer-Inbound", "77"),
    ("X-Dialer-Campaign", "Spring renewals"),
    ("X-Dialer-Caller", "+12125550123"),
)


def test_an_inbound_call_pops_its_caller_and_is_referenced_by_its_id_negated() -> None:
    pop = screen_pop("<sip:+12125550123@10.0.0.9>", INBOUND_HEADERS)
    assert (pop.inbound_id, pop.caller_number, pop.attempt_id) == (77, "+12125550123", None)
    assert pop.call_reference == -77
    assert "inbound:  77 from +12125550123" in pop.lines()


def test_robot_records_a_disposition_for_an_inbound_call_under_its_reference() -> None:
    state, _ = robot.offered(robot.RobotState(), incoming(headers=INBOUND_HEADERS), DRAW)
    state, _ = robot.ended(state, ended(at=T0 + timedelta(seconds=5)), timedelta(seconds=1))
    _, effects = robot.tick(state, robot.Tick(T0 + timedelta(seconds=6)))
    assert effects == (robot.SubmitDisposition(-77, "sale"),)


def test_dice_give_an_unknown_caller_the_heaviest_code_that_is_no_callback() -> None:
    mix = DispositionMix.parse("sale=1,not_interested=3,callback=5")
    dice = RobotDice(TalkTime(5.0, 0.0), mix, seed=1, robot=0)
    callbacks = frozenset({"callback"})
    assert dice.without(Draw(5.0, "callback"), callbacks) == Draw(5.0, "not_interested")
    assert dice.without(Draw(5.0, "sale"), callbacks) == Draw(5.0, "sale")


def test_disposition_mix_parses_weights_and_refuses_nonsense() -> None:
    mix = DispositionMix.parse("sale=1, not_interested=3,callback")
    assert mix.codes == ("sale", "not_interested", "callback")
    assert mix.weights == (1.0, 3.0, 1.0)
    for bad in ("", "Sale=1", "sale=-1", "sale=x", "sale=0", "sale,sale"):
        with pytest.raises(MixError):
            DispositionMix.parse(bad)


def test_dice_are_seeded_per_robot_and_follow_the_mean_and_mix() -> None:
    talk, mix = TalkTime(30.0, 0.5), DispositionMix.parse("sale=1,not_interested=3")
    first = [RobotDice(talk, mix, seed=7, robot=0).draw() for _ in range(1)]
    again = [RobotDice(talk, mix, seed=7, robot=0).draw() for _ in range(1)]
    other = [RobotDice(talk, mix, seed=7, robot=1).draw() for _ in range(1)]
    assert first == again and first != other
    dice = RobotDice(talk, mix, seed=1, robot=0)
    draws = [dice.draw() for _ in range(4000)]
    mean = sum(d.talk_s for d in draws) / len(draws)
    assert 28.0 < mean < 32.0
    share = sum(d.code == "not_interested" for d in draws) / len(draws)
    assert 0.72 < share < 0.78


def test_constant_talk_time_when_cv_is_zero() -> None:
    dice = RobotDice(TalkTime(5.0, 0.0), DispositionMix.parse("sale"), seed=1, robot=0)
    assert dice.draw() == Draw(5.0, "sale")


def test_a_registration_address_of_record_is_the_registrars_domain_without_its_port() -> None:
    assert Registration("sip:pbx.example.com:5070", "amy").address_of_record == (
        "sip:amy@pbx.example.com"
    )
    assert Registration("sip:10.0.0.7;transport=udp", "amy").domain == "10.0.0.7"
    assert Registration("sip:[::1]:5060", "amy").domain == "[::1]"
    with pytest.raises(UserAgentConfigError):
        Registration("pbx.example.com", "amy")


def test_robot_whose_answer_came_too_late_records_nothing_and_resumes() -> None:
    state, _ = robot.offered(robot.RobotState(), incoming(), DRAW)
    state, effects = robot.ended(state, ended(answered=False), timedelta(seconds=1))
    assert state.phase is robot.RobotPhase.IDLE
    assert effects == (robot.ResumeIfBounced(),)
