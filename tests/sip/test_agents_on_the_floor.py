"""Answered calls reach agents' real phones through the real workers: our softphone and baresip.

Everything is real: `dialer workers` (Celery, pjsua2), PostgreSQL and Redis, sipp as the
carrier, `dialer softphone` and baresip as the agents' phones. What the carrier heard is
captured off the loopback interface; what the agent heard is recorded by the agent's phone.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import pytest

from campaigns.agents import AgentState
from campaigns.storage.db import Connection
from dialer.agents.dispositions import submit_disposition
from dialer.carrier import Scenario, SippCarrier
from dialer.carrier.baresip import BaresipAgent

from .agent_floor import (
    AGENT_CONNECT_AT,
    AGENT_ID,
    ANSWER_AT,
    MESSAGE_START_AT,
    OUTCOME,
    Floor,
    between,
)
from .audio_check import SPEECH_RMS
from .audio_check import rms as wav_rms
from .conftest import speak
from .rtp_capture import RtpCapture, rms
from .softphone_fixtures import softphones
from .softphone_process import SoftphoneProcess
from .workers_harness import enqueue, running_workers, wait_ended

__all__ = ["softphones"]

pytestmark = [pytest.mark.sip, pytest.mark.usefixtures("service_env")]

Carrier = Callable[[Scenario], SippCarrier]
TWO_SECONDS = 2.0


def carrier_heard(capture: RtpCapture, customer: SippCarrier) -> float:
    [port] = customer.answered_media_ports()
    return rms(capture.audio_to(port))


def test_baresip_agent_and_customer_hear_each_other_through_the_workers(
    db: Connection,
    service_env: dict[str, str],
    carrier: Carrier,
    tmp_path: Path,
    audio_dir: Path,
) -> None:
    customer = carrier(Scenario.ANSWER_AND_WAIT)
    floor = Floor.on(db, service_env["REDIS_URL"], customer)
    # Not looped: baresip hangs up when its microphone file ends, which ends the call.
    voice = speak(audio_dir, "agent-bob", "Good afternoon, this is Bob. How can I help you today?")
    with BaresipAgent(tmp_path, voice, user="bob") as bob_phone:
        bob = floor.agent("bob", bob_phone.uri)
        with RtpCapture() as capture, running_workers(service_env, 2, tmp_path) as workers:
            [attempt] = floor.attempts("+12025550161")
            enqueue(workers.redis_url, [attempt])
            row = wait_ended(db, [attempt])[attempt]
        bob_phone.stop()
        [agent_heard] = bob_phone.received_audio()
    assert row[OUTCOME] == "connected" and row[AGENT_ID] == bob.id
    assert between(row, ANSWER_AT, AGENT_CONNECT_AT) < TWO_SECONDS
    assert wav_rms(agent_heard) > SPEECH_RMS, "the customer's voice did not reach the agent"
    assert carrier_heard(capture, customer) > SPEECH_RMS, (
        "the agent's voice never reached the carrier"
    )
    assert floor.status("bob").state is AgentState.WRAP_UP


def test_no_ready_agent_plays_the_message_to_the_carrier_within_two_seconds(
    db: Connection, service_env: dict[str, str], carrier: Carrier, tmp_path: Path
) -> None:
    customer = carrier(Scenario.ANSWER_AND_WAIT)
    floor = Floor.on(db, service_env["REDIS_URL"], customer)
    with RtpCapture() as capture, running_workers(service_env, 2, tmp_path) as workers:
        [attempt] = floor.attempts("+12025550162")
        enqueue(workers.redis_url, [attempt])
        row = wait_ended(db, [attempt])[attempt]
    assert row[OUTCOME] == "abandoned" and row[AGENT_ID] is None
    assert between(row, ANSWER_AT, MESSAGE_START_AT) <= TWO_SECONDS
    assert carrier_heard(capture, customer) > SPEECH_RMS, "the message never reached the carrier"


def test_agent_phone_that_never_answers_pauses_the_agent_and_the_customer_hears_the_message(
    db: Connection,
    service_env: dict[str, str],
    carrier: Carrier,
    tmp_path: Path,
    softphones: Callable[..., SoftphoneProcess],
) -> None:
    customer = carrier(Scenario.ANSWER_AND_WAIT)
    floor = Floor.on(db, service_env["REDIS_URL"], customer)
    phone = softphones("amy")  # rings; nobody is there to press a key
    [uri] = phone.ready_uris()
    floor.agent("amy", uri)
    with RtpCapture() as capture, running_workers(service_env, 2, tmp_path) as workers:
        [attempt] = floor.attempts("+12025550163")
        enqueue(workers.redis_url, [attempt])
        row = wait_ended(db, [attempt])[attempt]
    assert row[OUTCOME] == "abandoned"
    assert between(row, ANSWER_AT, MESSAGE_START_AT) <= TWO_SECONDS
    amy = floor.status("amy")
    assert (amy.state, amy.reason) == (AgentState.PAUSED, "phone_not_answering")
    phone.wait_for("call ended")
    assert "contact:  Ada" in phone.screen()  # it did ring, with the screen pop
    assert carrier_heard(capture, customer) > SPEECH_RMS


def test_a_declining_phone_pauses_its_agent_and_the_next_agent_takes_the_call(
    db: Connection,
    service_env: dict[str, str],
    carrier: Carrier,
    tmp_path: Path,
    audio_dir: Path,
    softphones: Callable[..., SoftphoneProcess],
) -> None:
    customer = carrier(Scenario.ANSWER_AND_WAIT)
    floor = Floor.on(db, service_env["REDIS_URL"], customer)
    phone = softphones("amy")
    [uri] = phone.ready_uris()
    floor.agent("amy", uri)  # ready first: the longest idle, offered the call first
    voice = speak(audio_dir, "agent-bob-short", "Hello, Bob speaking.")
    with BaresipAgent(tmp_path, voice, user="bob") as bob_phone:
        bob = floor.agent("bob", bob_phone.uri)
        with running_workers(service_env, 2, tmp_path) as workers:
            [attempt] = floor.attempts("+12025550164")
            enqueue(workers.redis_url, [attempt])
            phone.wait_for("press a to answer", timeout=60)
            phone.press("h")
            row = wait_ended(db, [attempt])[attempt]
    assert row[OUTCOME] == "connected" and row[AGENT_ID] == bob.id
    assert between(row, ANSWER_AT, AGENT_CONNECT_AT) < TWO_SECONDS
    amy = floor.status("amy")
    assert (amy.state, amy.reason) == (AgentState.PAUSED, "phone_not_answering")
    screen = phone.screen()
    assert "contact:  Ada" in screen and "campaign: Floor" in screen
    assert f"attempt:  {attempt}" in screen
    [carrier_invite] = customer.received_requests("INVITE")
    assert "X-Dialer" not in carrier_invite  # the screen pop never goes to the carrier


def test_an_agent_who_pauses_while_reserved_keeps_the_call_and_is_paused_after_it(
    db: Connection,
    service_env: dict[str, str],
    carrier: Carrier,
    tmp_path: Path,
    softphones: Callable[..., SoftphoneProcess],
) -> None:
    customer = carrier(Scenario.ANSWER_AND_WAIT)
    floor = Floor.on(db, service_env["REDIS_URL"], customer)
    phone = softphones("amy")
    [uri] = phone.ready_uris()
    amy = floor.agent("amy", uri)
    with running_workers(service_env, 2, tmp_path) as workers:
        [attempt] = floor.attempts("+12025550165")
        enqueue(workers.redis_url, [attempt])
        phone.wait_for("press a to answer", timeout=60)
        reserved = floor.service.pause(amy.id, "break", datetime.now(UTC))
        assert reserved.state is AgentState.RESERVED
        assert reserved.after_call is not None and reserved.after_call.reason == "break"
        phone.press("a")
        floor.wait_state("amy", AgentState.ON_CALL)
        time.sleep(0.5)
        phone.press("h")
        row = wait_ended(db, [attempt])[attempt]
        floor.wait_state("amy", AgentState.WRAP_UP)
    assert row[OUTCOME] == "connected" and row[AGENT_ID] == amy.id
    submit_disposition(floor.service, attempt, amy.id, "sale", datetime.now(UTC))
    after = floor.status("amy")
    assert (after.state, after.reason) == (AgentState.PAUSED, "break")
