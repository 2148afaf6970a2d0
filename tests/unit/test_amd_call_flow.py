"""Answering-machine detection in the call flow: humans to agents, machines get the campaign's
action, "not sure" follows the campaign, and the verdict is kept with the attempt."""

from dataclasses import replace
from datetime import timedelta
from pathlib import Path

import pytest

from campaigns.amd_policy import MachineAction, NotSureAction
from dialer.amd import Cause, Decision
from dialer.call_flow import AgentRef, AgentRelease, AttemptSpecError, run_attempt
from dialer.call_flow.amd_policy import AmdPolicy, AmdPolicyError
from dialer.call_flow.scripted_detection import ScriptedDetector, beep, verdict
from dialer.telephony import Outcome
from dialer.telephony.fake import Answer, FakeTelephony, RemoteHangup, Ring

from .call_flow_support import CUSTOMER_URI, MESSAGE, Claimer, Reporter, spec

pytestmark = pytest.mark.unit

ALICE = AgentRef("alice", "sip:alice@127.0.0.1:15070")
CUSTOMER_ANSWERS = (Ring(0.1), Answer(2.0), RemoteHangup(60.0))
VOICEMAIL = Path("/nonexistent/voicemail.wav")
HUMAN = verdict(Decision.HUMAN, Cause.SHORT_GREETING_THEN_SILENCE.value)
MACHINE = verdict(Decision.MACHINE, Cause.LONG_GREETING.value)
NOT_SURE = verdict(Decision.NOT_SURE, Cause.TOO_LONG.value)


def run(
    policy: AmdPolicy,
    script: list,  # type: ignore[type-arg]
    *,
    agents: tuple[AgentRef, ...] = (ALICE,),
    agent_answers: float = 0.05,
    customer: tuple = CUSTOMER_ANSWERS,  # type: ignore[type-arg]
):  # type: ignore[no-untyped-def]
    fake = FakeTelephony(
        {CUSTOMER_URI: customer, ALICE.sip_uri: (Answer(agent_answers),)}, playback_seconds=4.0
    )
    detector = ScriptedDetector(fake.clock, script)
    claimer = Claimer(list(agents))
    attempt = replace(spec(handoff=True), amd=policy)
    result = run_attempt(
        attempt, fake, Reporter(), claimer=claimer, clock=fake.clock, detector=detector
    )
    return result, fake, claimer, detector


def test_a_person_goes_to_the_agent_after_the_verdict_and_the_verdict_is_kept() -> None:
    result, fake, claimer, detector = run(AmdPolicy(), [(2.4, HUMAN)])
    tl = result.timeline
    assert result.outcome is Outcome.ANSWERED and result.agent == ALICE
    assert tl.amd_decision is Decision.HUMAN
    assert tl.amd_cause == Cause.SHORT_GREETING_THEN_SILENCE.value
    assert tl.answered_at is not None and tl.amd_decided_at is not None
    assert tl.amd_decided_at - tl.answered_at == timedelta(seconds=2.4)
    # the 2 s window runs from the end of the greeting: 0.9 s of silence before the verdict
    assert tl.speech_ended_at == tl.amd_decided_at - timedelta(milliseconds=900)
    assert tl.agent_connected_at is not None
    assert tl.agent_connected_at - tl.speech_ended_at < timedelta(seconds=2)
    assert fake.bridges == [("a1:customer", "a1:agent1")]
    assert detector.started[0][0] == "a1:customer"
    assert detector.detections[0].stopped
    assert claimer.released == [("alice", AgentRelease.TALKED)]


def test_a_short_hello_starts_the_2_s_window_at_its_shorter_silence_before_the_verdict() -> None:
    hello = verdict(Decision.HUMAN, Cause.SHORT_HELLO_THEN_SILENCE.value)
    result, _, _, _ = run(AmdPolicy(), [(2.3, hello)])
    tl = result.timeline
    assert tl.amd_cause == Cause.SHORT_HELLO_THEN_SILENCE.value and tl.amd_decided_at is not None
    silence = AmdPolicy().settings.after_hello_silence_ms
    assert tl.speech_ended_at == tl.amd_decided_at - timedelta(milliseconds=silence)
    assert tl.agent_connected_at is not None
    assert tl.agent_connected_at - tl.speech_ended_at < timedelta(seconds=2)


def test_a_person_without_an_agent_hears_the_message_within_2_s_of_speech_end() -> None:
    result, _fake, claimer, _ = run(AmdPolicy(), [(2.4, HUMAN)], agent_answers=30.0)
    tl = result.timeline
    assert result.outcome is Outcome.ABANDONED
    assert tl.message_started_at is not None and tl.speech_ended_at is not None
    # the remaining time of the window, not a fresh 2 s from the verdict
    assert tl.message_started_at - tl.speech_ended_at == timedelta(seconds=1.7)
    assert claimer.released == [("alice", AgentRelease.NOT_ANSWERING)]


def test_not_sure_after_the_analysis_time_counts_the_window_from_the_last_speech() -> None:
    # The person spoke until 0.6 s before the total analysis time ran out: their greeting ended
    # then, so the message must start within 2 s of that, not of the verdict.
    late = verdict(Decision.NOT_SURE, Cause.TOO_LONG.value, silence_after_speech_ms=600)
    result, _fake, _claimer, _ = run(AmdPolicy(), [(5.0, late)], agent_answers=30.0)
    tl = result.timeline
    assert result.outcome is Outcome.ABANDONED
    assert tl.amd_decided_at is not None and tl.speech_ended_at is not None
    assert tl.speech_ended_at == tl.amd_decided_at - timedelta(milliseconds=600)
    assert tl.message_started_at is not None
    assert tl.message_started_at - tl.speech_ended_at == timedelta(seconds=1.7)


def test_a_machine_is_hung_up_without_an_agent_and_counts_as_machine() -> None:
    result, fake, claimer, detector = run(AmdPolicy(), [(3.4, MACHINE)])
    assert result.outcome is Outcome.MACHINE
    assert result.timeline.amd_decision is Decision.MACHINE
    assert fake.hangups == ["a1:customer"]
    assert fake.originated[1:] == []  # no agent leg
    assert claimer.released == [] and claimer.agents == [ALICE]  # never claimed
    assert fake.playbacks == []
    assert detector.detections[0].stopped
    assert fake.free_legs() == 4


def test_a_machine_gets_the_voicemail_message_after_its_beep_then_is_hung_up() -> None:
    policy = AmdPolicy(on_machine=MachineAction.LEAVE_MESSAGE, voicemail_message=VOICEMAIL)
    result, fake, claimer, _ = run(policy, [(3.4, MACHINE), (9.0, beep())])
    tl = result.timeline
    assert result.outcome is Outcome.MACHINE
    assert tl.answered_at is not None and tl.voicemail_started_at is not None
    assert tl.voicemail_started_at - tl.answered_at == timedelta(seconds=9.0)
    assert fake.playbacks == [("a1:customer", VOICEMAIL, tl.voicemail_started_at)]
    assert tl.message_started_at is None  # not an abandonment message
    assert tl.ended_at == tl.voicemail_started_at + timedelta(seconds=4.0)
    assert fake.hangups == ["a1:customer"]
    assert claimer.agents == [ALICE]


def test_a_machine_that_never_beeps_gets_the_message_when_the_wait_runs_out() -> None:
    policy = AmdPolicy(on_machine=MachineAction.LEAVE_MESSAGE, voicemail_message=VOICEMAIL)
    result, _fake, _, _ = run(policy, [(3.4, MACHINE)])
    tl = result.timeline
    assert tl.voicemail_started_at is not None and tl.answered_at is not None
    assert tl.voicemail_started_at - tl.answered_at == timedelta(seconds=21.5)
    assert result.outcome is Outcome.MACHINE


def test_a_machine_passed_to_agents_is_connected_and_still_marked_machine() -> None:
    result, _fake, _claimer, _ = run(AmdPolicy(on_machine=MachineAction.TO_AGENT), [(3.4, MACHINE)])
    assert result.outcome is Outcome.ANSWERED and result.agent == ALICE
    assert result.timeline.amd_decision is Decision.MACHINE


def test_not_sure_goes_to_an_agent_by_default() -> None:
    result, _, _, _ = run(AmdPolicy(), [(5.0, NOT_SURE)])
    assert result.outcome is Outcome.ANSWERED
    assert result.timeline.amd_decision is Decision.NOT_SURE


def test_not_sure_hung_up_as_configured_counts_as_abandoned() -> None:
    policy = AmdPolicy(on_not_sure=NotSureAction.HANG_UP)
    result, fake, claimer, _ = run(policy, [(5.0, NOT_SURE)])
    assert result.outcome is Outcome.ABANDONED  # maybe a person: it counts against the cap
    assert fake.hangups == ["a1:customer"]
    assert claimer.agents == [ALICE]


def test_a_detector_that_says_nothing_is_not_sure_at_its_deadline() -> None:
    result, _, _, _ = run(AmdPolicy(), [])
    tl = result.timeline
    assert tl.amd_decision is Decision.NOT_SURE and tl.amd_cause == "no verdict"
    assert tl.amd_decided_at is not None and tl.answered_at is not None
    assert tl.amd_decided_at - tl.answered_at == timedelta(seconds=6.5)
    assert result.outcome is Outcome.ANSWERED


def test_the_customer_hanging_up_during_detection_stops_it() -> None:
    customer = (Ring(0.1), Answer(1.0), RemoteHangup(1.5))
    result, _fake, claimer, detector = run(AmdPolicy(), [(3.0, HUMAN)], customer=customer)
    assert result.outcome is Outcome.ABANDONED
    assert result.timeline.amd_decision is None
    assert detector.detections[0].stopped
    assert claimer.agents == [ALICE]


def test_amd_without_a_detector_is_refused_before_dialing() -> None:
    fake = FakeTelephony({CUSTOMER_URI: CUSTOMER_ANSWERS})
    attempt = replace(spec(handoff=True), amd=AmdPolicy())
    with pytest.raises(AttemptSpecError):
        run_attempt(attempt, fake, Reporter(), clock=fake.clock)
    assert fake.originated == []


def test_leaving_messages_needs_a_message() -> None:
    with pytest.raises(AmdPolicyError):
        AmdPolicy(on_machine=MachineAction.LEAVE_MESSAGE)


def test_amd_off_keeps_the_window_from_the_answer() -> None:
    fake = FakeTelephony({CUSTOMER_URI: CUSTOMER_ANSWERS, ALICE.sip_uri: (Answer(0.05),)})
    result = run_attempt(
        spec(handoff=True), fake, Reporter(), claimer=Claimer([ALICE]), clock=fake.clock
    )
    assert result.timeline.speech_ended_at == result.timeline.answered_at
    assert result.timeline.amd_decision is None
    assert MESSAGE  # the abandonment message of the shared spec is untouched


def test_a_machine_drawn_for_checking_goes_to_an_agent_though_the_campaign_hangs_up() -> None:
    result, fake, claimer, _ = run(AmdPolicy(check_machine=True), [(3.4, MACHINE)])
    assert result.outcome is Outcome.ANSWERED and result.agent == ALICE
    # the verdict is kept: the agent's disposition of this call checks it
    assert result.timeline.amd_decision is Decision.MACHINE
    assert result.timeline.amd_machine_checked  # stored: this agent call was a check
    assert fake.bridges == [("a1:customer", "a1:agent1")]
    assert claimer.released == [("alice", AgentRelease.TALKED)]


def test_a_machine_drawn_for_checking_gets_no_voicemail_message() -> None:
    policy = AmdPolicy(
        on_machine=MachineAction.LEAVE_MESSAGE, voicemail_message=VOICEMAIL, check_machine=True
    )
    result, fake, _, _ = run(policy, [(3.4, MACHINE), (9.0, beep())])
    assert result.outcome is Outcome.ANSWERED and result.agent == ALICE
    assert result.timeline.voicemail_started_at is None
    assert fake.playbacks == []


def test_a_machine_drawn_for_checking_without_a_free_agent_still_counts_as_machine() -> None:
    result, _, _, _ = run(AmdPolicy(check_machine=True), [(3.4, MACHINE)], agent_answers=30.0)
    assert result.outcome is Outcome.MACHINE


def test_a_person_or_an_unsure_call_is_not_affected_by_the_draw() -> None:
    policy = AmdPolicy(on_not_sure=NotSureAction.HANG_UP, check_machine=True)
    result, _, _, _ = run(policy, [(5.0, NOT_SURE)])
    assert result.outcome is Outcome.ABANDONED
    assert not result.timeline.amd_machine_checked


def test_a_machine_sent_to_agents_by_the_campaign_is_not_marked_as_a_check() -> None:
    policy = AmdPolicy(on_machine=MachineAction.TO_AGENT, check_machine=True)
    result, _, _, _ = run(policy, [(3.4, MACHINE)])
    assert result.agent == ALICE and not result.timeline.amd_machine_checked
    undrawn, _, _, _ = run(AmdPolicy(), [(3.4, MACHINE)])
    assert undrawn.outcome is Outcome.MACHINE and not undrawn.timeline.amd_machine_checked


def test_a_beep_heard_with_the_verdict_starts_the_voicemail_message_at_once() -> None:
    # `beep after greeting`: the detector gives the MACHINE verdict and the beep in one step
    policy = AmdPolicy(on_machine=MachineAction.LEAVE_MESSAGE, voicemail_message=VOICEMAIL)
    by_beep = verdict(Decision.MACHINE, Cause.BEEP_AFTER_GREETING.value)
    result, fake, _, _ = run(policy, [(1.8, by_beep), (1.8, beep())])
    tl = result.timeline
    assert result.outcome is Outcome.MACHINE
    assert tl.amd_decided_at is not None and tl.voicemail_started_at == tl.amd_decided_at
    assert fake.playbacks == [("a1:customer", VOICEMAIL, tl.voicemail_started_at)]
