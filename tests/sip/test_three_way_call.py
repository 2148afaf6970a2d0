"""Three-way call on real calls, asked for as the console asks: the agent adds an external
number, all three hear each other, then the agent leaves (the customer and the third party
stay connected) or drops the third party (back to a two-way call).

Everything is real: `dialer workers` (Celery, pjsua2), PostgreSQL and Redis, sipp as the
carrier answering both the customer and the third party (speech), baresip as the agent's phone
playing a 1 kHz tone. sipp answers both calls on one media port: what the worker sends to each
is told apart by SSRC (the customer's stream came first), captured off the loopback interface.
Each stream is checked for the agent's tone and for speech beside it (the energy away from the
tone: the other sipp party, since nobody hears their own voice back).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pytest

from campaigns.agents import AgentState
from campaigns.storage.db import Connection
from dialer import call_commands
from dialer.bootstrap import redis_client
from dialer.call_commands import CallCommand
from dialer.carrier import Scenario, SippCarrier
from dialer.carrier.baresip import BaresipAgent
from dialer.hold_music import NOTES_HZ

from .agent_floor import Floor
from .rtp_capture import RtpCapture, rms
from .test_call_features import (
    AGENT_TONE_HZ,
    SETTLE_S,
    SILENCE_RMS,
    Call,
    band_share,
    connected_call,
    tone,
)
from .test_call_transfer import ALLOWED, THIRD_PARTY, notices, transfer_row
from .workers_harness import running_workers, wait_ended

pytestmark = [pytest.mark.sip, pytest.mark.usefixtures("service_env")]

Carrier = Callable[[Scenario], SippCarrier]
# Speech beside the tone: the RMS of what is not the tone. The tone alone through G.711 leaves
# a few tens of quantisation noise; the carrier's speech is in the hundreds or more.
SPEECH_BESIDE_TONE_RMS = 150.0


def speech_beside_tone(samples: np.ndarray) -> float:
    share = band_share(samples, (AGENT_TONE_HZ,))
    return rms(samples) * float(np.sqrt(max(0.0, 1.0 - share)))


class Streams:
    """What the worker sends to the customer and to the third party, over the same stretch."""

    def __init__(self, call: Call) -> None:
        self.call = call

    def ssrcs(self, count: int) -> list[bytes]:
        deadline = time.monotonic() + 5
        while len(streams := self.call.capture.ssrcs_to(self.call.port)) < count:
            assert time.monotonic() < deadline, f"fewer than {count} streams reached the carrier"
            time.sleep(0.05)
        return streams[:count]

    def stretch(self, count: int, seconds: float = 2.0) -> list[np.ndarray]:
        ssrcs = self.ssrcs(count)
        capture, port = self.call.capture, self.call.port
        time.sleep(SETTLE_S)
        start = capture.packets_to(port)
        time.sleep(seconds)
        end = capture.packets_to(port)
        return [capture.audio_to(port, start, end, ssrc=ssrc) for ssrc in ssrcs]


def command(redis_url: str, attempt: int, what: CallCommand, destination: str = "") -> None:
    call_commands.send(
        redis_client(redis_url),
        attempt,
        what,
        "agent test",
        datetime.now(UTC),
        destination=destination,
    )


def add_third_party(redis_url: str, db: Connection, attempt: int) -> None:
    command(redis_url, attempt, CallCommand.CONFERENCE, THIRD_PARTY)
    wait_outcome(db, attempt, "conferenced")


def wait_outcome(db: Connection, attempt: int, outcome: str, timeout: float = 10) -> None:
    deadline = time.monotonic() + timeout
    while transfer_row(db, attempt)[2] != outcome:
        assert time.monotonic() < deadline, f"the three-way call never became {outcome}"
        time.sleep(0.1)


def test_in_a_three_way_call_all_hear_each_other_and_the_two_others_stay_when_the_agent_leaves(
    db: Connection,
    service_env: dict[str, str],
    carrier: Carrier,
    tmp_path: Path,
) -> None:
    customer = carrier(Scenario.ANSWER_WITH_DTMF)
    floor = Floor.on(db, service_env["REDIS_URL"], customer, transfer_destinations=ALLOWED)
    with BaresipAgent(tmp_path, tone(tmp_path, AGENT_TONE_HZ, 60), user="bob") as bob_phone:
        floor.agent("bob", bob_phone.uri)
        with RtpCapture() as capture, running_workers(service_env, 2, tmp_path) as workers:
            call = connected_call(floor, customer, workers.redis_url, capture, "+12025550191")
            streams = Streams(call)
            [two_way] = streams.stretch(1, 1.5)
            add_third_party(workers.redis_url, db, call.attempt)
            to_customer, to_third = streams.stretch(2, 2.5)
            bob_in_conference = floor.status("bob").state
            command(workers.redis_url, call.attempt, CallCommand.CONFERENCE_LEAVE)
            floor.wait_state("bob", AgentState.WRAP_UP, timeout=10)
            after_customer, after_third = streams.stretch(2, 2.5)
            call.hang_up()
            wait_ended(db, [call.attempt])
    # Before: the customer hears the agent only.
    assert band_share(two_way, (AGENT_TONE_HZ,)) > 0.8
    assert speech_beside_tone(two_way) < SPEECH_BESIDE_TONE_RMS, "speech before the 3-way?"
    # The three-way call: each sipp party hears the agent's tone and the other's speech.
    assert bob_in_conference is AgentState.ON_CALL
    for heard, who in ((to_customer, "customer"), (to_third, "third party")):
        assert band_share(heard, (AGENT_TONE_HZ,)) > 0.1, f"the {who} does not hear the agent"
        assert speech_beside_tone(heard) > SPEECH_BESIDE_TONE_RMS, (
            f"the {who} does not hear the other party"
        )
        assert band_share(heard, NOTES_HZ) < 0.5, f"the {who} hears the music on hold"
    # The agent left: the customer and the third party still hear each other, not the agent.
    for heard, who in ((after_customer, "customer"), (after_third, "third party")):
        assert rms(heard) > SILENCE_RMS, f"the {who} hears silence after the agent left"
        assert band_share(heard, (AGENT_TONE_HZ,)) < 0.05, f"the {who} still hears the agent"
    _, _, outcome = transfer_row(db, call.attempt)
    assert outcome == "answered"
    assert any(f"{THIRD_PARTY} joined" in n for n in notices(workers.redis_url, call.attempt))


def test_dropping_the_third_party_leaves_the_agent_with_the_customer(
    db: Connection,
    service_env: dict[str, str],
    carrier: Carrier,
    tmp_path: Path,
) -> None:
    customer = carrier(Scenario.ANSWER_WITH_DTMF)
    floor = Floor.on(db, service_env["REDIS_URL"], customer, transfer_destinations=ALLOWED)
    with BaresipAgent(tmp_path, tone(tmp_path, AGENT_TONE_HZ, 60), user="bob") as bob_phone:
        floor.agent("bob", bob_phone.uri)
        with RtpCapture() as capture, running_workers(service_env, 2, tmp_path) as workers:
            call = connected_call(floor, customer, workers.redis_url, capture, "+12025550193")
            streams = Streams(call)
            add_third_party(workers.redis_url, db, call.attempt)
            [in_conference, _] = streams.stretch(2, 2.0)
            command(workers.redis_url, call.attempt, CallCommand.CONFERENCE_DROP)
            wait_outcome(db, call.attempt, "dropped")
            [after] = streams.stretch(1, 2.0)
            bob_after = floor.status("bob").state
            call.hang_up()
            wait_ended(db, [call.attempt])
    assert speech_beside_tone(in_conference) > SPEECH_BESIDE_TONE_RMS, "no third party heard"
    assert bob_after is AgentState.ON_CALL
    assert band_share(after, (AGENT_TONE_HZ,)) > 0.8, "the customer lost the agent"
    assert speech_beside_tone(after) < SPEECH_BESIDE_TONE_RMS, "the third party is still heard"
    assert any(
        f"{THIRD_PARTY} left the three-way call" in n
        for n in notices(workers.redis_url, call.attempt)
    )
