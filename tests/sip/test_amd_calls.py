"""Answering-machine detection on real calls: sipp answers and plays a greeting over RTP, the
pjsua2 adapter taps the customer's audio into the AMD runner, the call flow acts on the verdict."""

from __future__ import annotations

import itertools
import time
from collections.abc import Callable, Iterator
from dataclasses import replace
from datetime import timedelta
from pathlib import Path
from typing import Protocol

import pytest

from campaigns.amd_policy import MachineAction, NotSureAction, samples_machine_verdict
from dialer.amd import AmdSettings, AnalysisRunner, Decision
from dialer.call_flow import (
    AgentRef,
    AgentRelease,
    AttemptResult,
    AttemptSpec,
    HandoffPolicy,
    SystemClock,
    run_attempt,
)
from dialer.call_flow.amd_policy import AmdPolicy
from dialer.call_flow.detection import RunnerDetector
from dialer.carrier import Scenario, SippCarrier
from dialer.carrier.baresip import BaresipAgent
from dialer.telephony import Outcome

from . import amd_greetings
from .agent_claimer import Claimer
from .audio_check import seconds
from .conftest import CUSTOMER, Reporter, speak, trunk_to
from .rtp_capture import RtpCapture, rms

pytestmark = pytest.mark.sip

TWO_SECONDS = timedelta(seconds=2)
SPEECH_RMS = 300.0


@pytest.fixture(scope="module")
def runner() -> Iterator[AnalysisRunner]:
    with AnalysisRunner(threads=1) as started:
        yield started


@pytest.fixture
def messages(audio_dir: Path) -> tuple[Path, Path]:
    abandon = speak(audio_dir, "abandon", "Sorry, all agents are busy. Acme, 0800 123.")
    voicemail = speak(
        audio_dir, "voicemail-message", "Hello, this is Acme calling about your order. Bye."
    )
    return abandon, voicemail


def customer_playing(
    tmp_path: Path, make: Callable[[Path], object], scenario: Scenario = Scenario.ANSWER_GREETING
) -> SippCarrier:
    workdir = tmp_path / "customer"
    make(workdir)
    return SippCarrier(scenario, workdir).start()


def amd_attempt(
    telephony: object,
    runner: AnalysisRunner,
    customer: SippCarrier,
    claimer: Claimer,
    abandon: Path,
    policy: AmdPolicy,
    name: str,
) -> AttemptResult:
    spec = AttemptSpec(
        name,
        CUSTOMER,
        trunk_to(customer),
        ring_timeout=timedelta(seconds=15),
        max_talk=timedelta(seconds=2),
        handoff=HandoffPolicy(abandon),
        amd=policy,
    )
    detector = RunnerDetector(telephony, runner, SystemClock())  # type: ignore[arg-type]
    return run_attempt(spec, telephony, Reporter(), claimer=claimer, detector=detector)  # type: ignore[arg-type]


class AgentCall(Protocol):
    def __call__(
        self,
        greeting: Callable[[Path], object],
        policy: AmdPolicy,
        name: str,
        scenario: Scenario = Scenario.ANSWER_GREETING,
    ) -> tuple[AttemptResult, Claimer]: ...


@pytest.fixture
def call_with_agent(
    telephony: object,
    runner: AnalysisRunner,
    tmp_path: Path,
    audio_dir: Path,
    messages: tuple[Path, Path],
) -> AgentCall:
    """One AMD attempt on sipp playing a greeting, with a baresip agent, Sam, free to take it."""

    def call(
        greeting: Callable[[Path], object],
        policy: AmdPolicy,
        name: str,
        scenario: Scenario = Scenario.ANSWER_GREETING,
    ) -> tuple[AttemptResult, Claimer]:
        customer = customer_playing(tmp_path, greeting, scenario)
        mic = speak(audio_dir, "agent-voice", "Hello, you are speaking with Sam.", repeat=8)
        try:
            with BaresipAgent(tmp_path / "agent", mic, user="sam") as phone:
                time.sleep(0.5)
                claimer = Claimer([AgentRef("sam", phone.uri)])
                result = amd_attempt(
                    telephony, runner, customer, claimer, messages[0], policy, name
                )
                phone.stop()
        finally:
            customer.stop()
        return result, claimer

    return call


def test_a_person_saying_hello_reaches_a_baresip_agent_within_two_s_of_their_greeting(
    call_with_agent: AgentCall,
) -> None:
    result, claimer = call_with_agent(amd_greetings.human_hello, AmdPolicy(), "amd-human")
    tl = result.timeline
    assert tl.amd_decision is Decision.HUMAN, tl.amd_cause
    assert result.outcome is Outcome.ANSWERED and result.agent is not None
    assert tl.answered_at and tl.amd_decided_at and tl.speech_ended_at and tl.agent_connected_at
    # the hello ends about 1 s after the answer; the verdict follows 0.9 s of silence
    assert timedelta(seconds=1.2) < tl.amd_decided_at - tl.answered_at < timedelta(seconds=3.5)
    assert tl.agent_connected_at - tl.speech_ended_at < TWO_SECONDS
    assert tl.message_started_at is None
    assert claimer.released == [("sam", AgentRelease.TALKED)]


def test_a_hello_is_timed_when_the_line_stops_sending_rtp_after_it(
    call_with_agent: AgentCall,
) -> None:
    """Silence suppression: the carrier sends no RTP once the person stops talking. pjsua's
    stream keeps giving the conference bridge (silent) frames, so the detector still hears the
    0.8 s of silence after the hello and the person reaches the agent in their window."""
    result, claimer = call_with_agent(
        amd_greetings.human_hello_then_no_rtp, AmdPolicy(), "amd-human-no-rtp"
    )
    tl = result.timeline
    assert tl.amd_decision is Decision.HUMAN, tl.amd_cause
    assert tl.amd_cause and tl.amd_cause.startswith("human:")  # not "no verdict"
    assert result.outcome is Outcome.ANSWERED and result.agent is not None
    assert tl.answered_at and tl.amd_decided_at and tl.speech_ended_at and tl.agent_connected_at
    assert tl.amd_decided_at - tl.answered_at < timedelta(seconds=3.5)
    assert tl.agent_connected_at - tl.speech_ended_at < TWO_SECONDS
    assert claimer.released == [("sam", AgentRelease.TALKED)]


def test_a_hello_then_comfort_noise_packets_is_a_person_timed_from_the_hello(
    call_with_agent: AgentCall,
) -> None:
    """A carrier with VAD sends RFC 3389 comfort-noise packets once the person stops talking,
    in place of the silence. pjsua never offers CN (its offer is PCMA, PCMU, telephone-event),
    so they arrive unnegotiated, though the carrier's answer lists CN; pjsua drops them and
    hands the bridge silence, as when no RTP comes. The hello's end is heard and timed: the
    person reaches the agent in their window, not "no verdict" or a machine."""
    result, claimer = call_with_agent(
        amd_greetings.human_hello_then_comfort_noise,
        AmdPolicy(),
        "amd-human-comfort-noise",
        Scenario.ANSWER_COMFORT_NOISE,
    )
    tl = result.timeline
    assert tl.amd_decision is Decision.HUMAN, tl.amd_cause
    assert tl.amd_cause and tl.amd_cause.startswith("human:")
    assert result.outcome is Outcome.ANSWERED and result.agent is not None
    assert tl.answered_at and tl.amd_decided_at and tl.speech_ended_at and tl.agent_connected_at
    assert tl.amd_decided_at - tl.answered_at < timedelta(seconds=3.5)
    assert tl.agent_connected_at - tl.speech_ended_at < TWO_SECONDS
    assert claimer.released == [("sam", AgentRelease.TALKED)]


def test_a_line_silent_from_the_answer_without_rtp_is_decided_by_initial_silence(
    telephony: object, runner: AnalysisRunner, tmp_path: Path, messages: tuple[Path, Path]
) -> None:
    """0.2 s of RTP, then nothing: the initial silence (2.5 s) is still counted out."""
    customer = customer_playing(
        tmp_path, lambda d: amd_greetings.write_greeting(d, amd_greetings.silence(0.2))
    )
    try:
        result = amd_attempt(
            telephony, runner, customer, Claimer([]), messages[0], AmdPolicy(), "amd-no-rtp"
        )
    finally:
        customer.stop()
    tl = result.timeline
    assert tl.amd_decision is Decision.MACHINE and tl.amd_cause == "initial silence"
    assert result.outcome is Outcome.MACHINE
    assert tl.answered_at and tl.amd_decided_at
    assert tl.amd_decided_at - tl.answered_at < timedelta(seconds=4)


def test_a_voicemail_greeting_is_hung_up_without_bothering_an_agent(
    telephony: object, runner: AnalysisRunner, tmp_path: Path, messages: tuple[Path, Path]
) -> None:
    customer = customer_playing(tmp_path, amd_greetings.voicemail_with_beep)
    claimer = Claimer([AgentRef("never", "sip:never@127.0.0.1:9")])
    try:
        result = amd_attempt(
            telephony, runner, customer, claimer, messages[0], AmdPolicy(), "amd-machine-hangup"
        )
        assert len(customer.wait_for_requests("BYE", 1)) == 1
    finally:
        customer.stop()
    tl = result.timeline
    assert result.outcome is Outcome.MACHINE, tl.amd_cause
    assert tl.amd_decision is Decision.MACHINE
    assert tl.answered_at and tl.amd_decided_at and tl.ended_at
    assert tl.amd_decided_at - tl.answered_at < timedelta(seconds=5)
    assert tl.ended_at - tl.amd_decided_at < timedelta(seconds=1)
    assert claimer.released == [] and len(claimer.agents) == 1  # no agent was claimed


def test_a_voicemail_drawn_for_checking_reaches_an_agent_though_the_campaign_hangs_up(
    call_with_agent: AgentCall,
) -> None:
    # The first attempt id a 2 % share draws, as the worker draws it for a campaign that hangs
    # up on machines (dialer.dialing.amd_policy).
    attempt_id = next(str(n) for n in itertools.count(1) if samples_machine_verdict(n, 0.02))
    policy = AmdPolicy(check_machine=samples_machine_verdict(attempt_id, 0.02))
    assert policy.on_machine is MachineAction.HANG_UP and policy.check_machine
    result, claimer = call_with_agent(amd_greetings.voicemail_with_beep, policy, attempt_id)
    tl = result.timeline
    # still a MACHINE verdict on the attempt: the agent's disposition checks it
    assert tl.amd_decision is Decision.MACHINE, tl.amd_cause
    assert result.outcome is Outcome.ANSWERED and result.agent is not None
    assert tl.amd_decided_at and tl.agent_connected_at and tl.voicemail_started_at is None
    assert claimer.released == [("sam", AgentRelease.TALKED)]


def test_a_voicemail_gets_the_campaign_message_after_the_beep(
    telephony: object, runner: AnalysisRunner, tmp_path: Path, messages: tuple[Path, Path]
) -> None:
    abandon, voicemail = messages
    beep: list[tuple[float, float]] = []
    customer = customer_playing(
        tmp_path, lambda d: beep.append(amd_greetings.voicemail_with_beep(d))
    )
    [(beep_start, beep_end)] = beep
    policy = AmdPolicy(on_machine=MachineAction.LEAVE_MESSAGE, voicemail_message=voicemail)
    try:
        with RtpCapture() as capture:
            result = amd_attempt(
                telephony, runner, customer, Claimer([]), abandon, policy, "amd-machine-message"
            )
            assert len(customer.wait_for_requests("BYE", 1)) == 1
        [port] = customer.answered_media_ports()
        heard = capture.audio_to(port)
    finally:
        customer.stop()
    tl = result.timeline
    assert result.outcome is Outcome.MACHINE, tl.amd_cause
    assert tl.answered_at and tl.voicemail_started_at and tl.ended_at
    started = (tl.voicemail_started_at - tl.answered_at).total_seconds()
    # the message starts once the beep has ended (detected at its end), not before
    assert beep_end <= started < beep_end + 1.0, (beep_start, beep_end, started)
    assert tl.message_started_at is None
    # what the carrier received: quiet while its greeting played, our message after the beep
    rate = 8000
    before = heard[: int(beep_start * rate)]
    after = heard[int((started + 0.3) * rate) : int((started + 2.3) * rate)]
    assert rms(before) < SPEECH_RMS / 3, rms(before)
    assert rms(after) > SPEECH_RMS, "the voicemail message did not reach the carrier"
    played = (tl.ended_at - tl.voicemail_started_at).total_seconds()
    assert played >= seconds(voicemail) - 0.2


@pytest.mark.parametrize(
    ("line", "settings", "on_not_sure", "outcome", "decision"),
    [
        # app_amd's default: a silent line is a machine (hung up, not counted as a live answer)
        ("silence", AmdSettings(), NotSureAction.TO_AGENT, Outcome.MACHINE, Decision.MACHINE),
        ("noise", AmdSettings(), NotSureAction.TO_AGENT, Outcome.MACHINE, Decision.MACHINE),
        # a campaign that takes silence as "not sure" and hangs those up: counted as abandoned
        (
            "silence",
            AmdSettings(initial_silence_decision=Decision.NOT_SURE),
            NotSureAction.HANG_UP,
            Outcome.ABANDONED,
            Decision.NOT_SURE,
        ),
        # ... or passes them to agents (here none is free: the abandonment message plays)
        (
            "noise",
            AmdSettings(initial_silence_decision=Decision.NOT_SURE),
            NotSureAction.TO_AGENT,
            Outcome.ABANDONED,
            Decision.NOT_SURE,
        ),
    ],
)
def test_silence_and_noise_follow_the_campaign_settings(
    telephony: object,
    runner: AnalysisRunner,
    tmp_path: Path,
    messages: tuple[Path, Path],
    line: str,
    settings: AmdSettings,
    on_not_sure: NotSureAction,
    outcome: Outcome,
    decision: Decision,
) -> None:
    make = amd_greetings.line_silence if line == "silence" else amd_greetings.line_noise
    customer = customer_playing(tmp_path, make)
    policy = replace(AmdPolicy(settings=settings), on_not_sure=on_not_sure)
    try:
        result = amd_attempt(
            telephony, runner, customer, Claimer([]), messages[0], policy, f"amd-{line}"
        )
    finally:
        customer.stop()
    tl = result.timeline
    assert tl.amd_decision is decision, tl.amd_cause
    assert result.outcome is outcome
    assert tl.answered_at and tl.amd_decided_at
    assert tl.amd_decided_at - tl.answered_at < timedelta(seconds=4)
    if on_not_sure is NotSureAction.TO_AGENT and decision is Decision.NOT_SURE:
        assert tl.message_started_at is not None  # sought an agent, none free: message
    else:
        assert tl.message_started_at is None
