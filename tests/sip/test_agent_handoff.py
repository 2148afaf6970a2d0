"""Answered calls reach an agent's phone within 2 s, or hear the abandonment message."""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

import pytest

from dialer.call_flow import (
    AgentRef,
    AgentRelease,
    AttemptResult,
    AttemptSpec,
    HandoffPolicy,
    run_attempt,
)
from dialer.carrier import Scenario, SippCarrier
from dialer.carrier.baresip import BaresipAgent
from dialer.telephony import Outcome, SipHeader

from .agent_claimer import Claimer
from .audio_check import SPEECH_RMS, rms, seconds
from .conftest import CUSTOMER, Reporter, speak, trunk_to

pytestmark = pytest.mark.sip

Carrier = Callable[[Scenario], SippCarrier]
TWO_SECONDS = timedelta(seconds=2)
SCREEN_POP = (
    SipHeader("X-Contact-Id", "c-1042"),
    SipHeader("X-Campaign", "spring-renewals"),
    SipHeader("X-Contact-Name", "Ada Lovelace"),
)


def handoff_attempt(
    telephony: object,
    customer: SippCarrier,
    claimer: Claimer,
    message: Path,
    name: str,
    *,
    talk: float = 3.0,
) -> AttemptResult:
    spec = AttemptSpec(
        name,
        CUSTOMER,
        trunk_to(customer),
        ring_timeout=timedelta(seconds=15),
        max_talk=timedelta(seconds=talk),
        handoff=HandoffPolicy(message),
        screen_pop=SCREEN_POP,
    )
    return run_attempt(spec, telephony, Reporter(), claimer=claimer)  # type: ignore[arg-type]


@pytest.fixture
def message(audio_dir: Path) -> Path:
    return speak(
        audio_dir,
        "abandon",
        "Sorry, all agents are busy. Acme, 0800 123.",
    )


def test_answered_call_is_bridged_to_a_baresip_agent_who_hears_the_customer(
    telephony: object, carrier: Carrier, tmp_path: Path, audio_dir: Path, message: Path
) -> None:
    customer = carrier(Scenario.ANSWER_AND_WAIT)
    mic = speak(audio_dir, "agent-voice", "Hello, you are speaking with Sam.", repeat=8)
    with BaresipAgent(tmp_path, mic, user="sam") as phone:
        time.sleep(0.5)
        claimer = Claimer([AgentRef("sam", phone.uri)])
        result = handoff_attempt(telephony, customer, claimer, message, "handoff-baresip")
        phone.stop()
        [heard] = phone.received_audio()
    tl = result.timeline
    assert result.outcome is Outcome.ANSWERED
    assert result.agent == AgentRef("sam", phone.uri)
    assert tl.answered_at is not None and tl.agent_connected_at is not None
    assert tl.agent_connected_at - tl.answered_at < TWO_SECONDS
    assert tl.message_started_at is None
    assert claimer.released == [("sam", AgentRelease.TALKED)]
    assert rms(heard) > SPEECH_RMS, "the customer's speech did not reach the agent"
    assert len(customer.wait_for_requests("BYE", 1)) == 1
    assert customer.invites_received() == 1


def test_agent_invite_carries_the_screen_pop_headers(
    telephony: object, carrier: Carrier, message: Path
) -> None:
    customer, agent_phone = carrier(Scenario.ANSWER_AND_WAIT), carrier(Scenario.ANSWER_AND_WAIT)
    claimer = Claimer([AgentRef("kim", f"sip:kim@{agent_phone.host_port}")])
    result = handoff_attempt(telephony, customer, claimer, message, "screen-pop", talk=1.0)
    assert result.outcome is Outcome.ANSWERED
    [agent_invite] = agent_phone.received_requests("INVITE")
    for header in SCREEN_POP:
        assert f"{header.name}: {header.value}" in agent_invite
    assert "X-Attempt-Id: screen-pop" in agent_invite
    [customer_invite] = customer.received_requests("INVITE")
    assert "X-Contact-Id" not in customer_invite  # screen pop never goes to the carrier


def test_no_free_agent_plays_the_message_within_two_seconds_then_hangs_up(
    telephony: object, carrier: Carrier, message: Path
) -> None:
    customer = carrier(Scenario.ANSWER_AND_WAIT)
    result = handoff_attempt(telephony, customer, Claimer([]), message, "abandoned")
    tl = result.timeline
    assert result.outcome is Outcome.ABANDONED
    assert tl.answered_at is not None and tl.message_started_at is not None
    assert tl.message_started_at - tl.answered_at <= TWO_SECONDS
    assert tl.ended_at is not None
    # the whole message was played before we hung up
    assert (tl.ended_at - tl.message_started_at).total_seconds() >= seconds(message) - 0.1
    assert len(customer.wait_for_requests("BYE", 1)) == 1


def test_busy_agent_phone_is_reported_and_the_next_agent_takes_the_call(
    telephony: object, carrier: Carrier, message: Path
) -> None:
    customer = carrier(Scenario.ANSWER_AND_WAIT)
    busy_phone, good_phone = carrier(Scenario.BUSY_486), carrier(Scenario.ANSWER_AND_WAIT)
    claimer = Claimer(
        [
            AgentRef("busy", f"sip:busy@{busy_phone.host_port}"),
            AgentRef("good", f"sip:good@{good_phone.host_port}"),
        ]
    )
    result = handoff_attempt(telephony, customer, claimer, message, "next-agent", talk=1.0)
    tl = result.timeline
    assert result.outcome is Outcome.ANSWERED
    assert result.agent is not None and result.agent.agent_id == "good"
    assert tl.agents_tried == ("busy", "good")
    assert tl.answered_at is not None and tl.agent_connected_at is not None
    assert tl.agent_connected_at - tl.answered_at < TWO_SECONDS
    assert claimer.released == [("busy", AgentRelease.NOT_ANSWERING), ("good", AgentRelease.TALKED)]


def test_agent_phone_that_never_answers_is_cancelled_and_the_message_plays(
    telephony: object, carrier: Carrier, message: Path
) -> None:
    customer, silent_phone = carrier(Scenario.ANSWER_AND_WAIT), carrier(Scenario.NEVER_ANSWERS)
    claimer = Claimer([AgentRef("asleep", f"sip:asleep@{silent_phone.host_port}")])
    result = handoff_attempt(telephony, customer, claimer, message, "agent-asleep")
    tl = result.timeline
    assert result.outcome is Outcome.ABANDONED
    assert tl.answered_at is not None and tl.message_started_at is not None
    assert tl.message_started_at - tl.answered_at <= TWO_SECONDS
    assert claimer.released == [("asleep", AgentRelease.NOT_ANSWERING)]
    assert len(silent_phone.wait_for_requests("CANCEL", 1)) == 1
