"""Three-way call with another agent on real calls, asked for as the console asks: bob adds
cara, all three hear each other, then bob leaves (the customer and cara stay connected, the
call is cara's) or drops cara (she goes to wrap-up, the call goes on with bob).

Everything is real: `dialer workers` (Celery, pjsua2), PostgreSQL and Redis, sipp as the
customer (speech), and two baresip agents with distinct tones: bob (1 kHz), cara (1.5 kHz).
What the worker sends to the customer and to cara's phone is captured off the loopback
interface; speech is the energy away from both tones (the bridge never returns a party's own
voice, so speech in cara's stream is the customer's).
"""

from __future__ import annotations

import time
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pytest

from campaigns.agents import AgentState
from campaigns.storage.db import Connection
from dialer.agents.dispositions import end_wrap_up_after_transfer
from dialer.call_commands import CallCommand
from dialer.carrier import Scenario
from dialer.carrier.baresip import BaresipAgent
from dialer.hold_music import NOTES_HZ

from .agent_floor import AGENT_ID, OUTCOME, Floor
from .call_audio import (
    AGENT_TONE_HZ,
    CARA_TONE_HZ,
    SETTLE_S,
    SPEECH_BESIDE_TONE_RMS,
    band_share,
    tone,
)
from .call_features_harness import connected_call
from .full_process import notices
from .rtp_capture import RtpCapture
from .transfer_calls import Carrier, CustomerCall, decide, to_agent, transfer_row, wait_outcome
from .workers_harness import running_workers, wait_ended

pytestmark = [pytest.mark.sip, pytest.mark.usefixtures("service_env")]

TONES = (AGENT_TONE_HZ, CARA_TONE_HZ)


def speech_beside_tones(samples: np.ndarray) -> float:
    """The RMS of what is more than 100 Hz away from both agents' tones (and above 50 Hz)."""
    if samples.size < 800:
        return 0.0
    window = np.hanning(samples.size)
    spectrum = np.abs(np.fft.rfft(samples.astype(np.float64) * window)) ** 2
    bins = np.fft.rfftfreq(samples.size, 1 / 8000)
    away = (bins > 50) & np.all([np.abs(bins - hz) > 100 for hz in TONES], axis=0)
    energy = 2 * float(spectrum[away].sum()) / (samples.size * float((window**2).sum()))
    return float(np.sqrt(energy))


class PhoneStream:
    """What the worker sends to a baresip phone: its call's RTP port is one of its block.

    The port is the one that received audio, not just any packet: RTCP goes to the port above
    the RTP one and can arrive first, and a stream cut from it decodes to nothing.
    """

    def __init__(self, capture: RtpCapture, phone: BaresipAgent) -> None:
        self.capture = capture
        deadline = time.monotonic() + 10
        while not (ports := [p for p in phone.rtp_ports if capture.audio_to(p).size]):
            assert time.monotonic() < deadline, "no audio reached the phone"
            time.sleep(0.05)
        self.port = ports[0]

    def stretch_from(self, start: int, seconds: float) -> np.ndarray:
        time.sleep(seconds)
        return self.capture.audio_to(self.port, start, self.capture.packets_to(self.port))


def both(
    call: CustomerCall, cara: PhoneStream, seconds: float = 2.5
) -> tuple[np.ndarray, np.ndarray]:
    """The same stretch of what the customer and cara receive."""
    time.sleep(SETTLE_S)
    customer_from = call.capture.packets_to(call.port)
    cara_from = cara.capture.packets_to(cara.port)
    to_cara = cara.stretch_from(cara_from, seconds)
    end = call.capture.packets_to(call.port)
    return call.capture.audio_to(call.port, customer_from, end, ssrc=call.ssrc), to_cara


@pytest.mark.parametrize("bob_leaves", [True, False], ids=["bob_leaves", "cara_dropped"])
def test_an_agent_added_to_the_call_talks_with_both_then_stays_or_is_dropped(
    db: Connection,
    service_env: dict[str, str],
    carrier: Carrier,
    tmp_path: Path,
    bob_leaves: bool,
) -> None:
    customer = carrier(Scenario.ANSWER_WITH_DTMF)
    floor = Floor.on(db, service_env["REDIS_URL"], customer)
    with (
        BaresipAgent(tmp_path, tone(tmp_path, AGENT_TONE_HZ, 90), user="bob") as bob_phone,
        BaresipAgent(tmp_path, tone(tmp_path, CARA_TONE_HZ, 90), user="cara") as cara_phone,
    ):
        bob = floor.agent("bob", bob_phone.uri)
        with RtpCapture() as capture, running_workers(service_env, 2, tmp_path) as workers:
            number = "+12025550197" if bob_leaves else "+12025550198"
            call = CustomerCall(connected_call(floor, customer, workers.redis_url, capture, number))
            cara = floor.agent("cara", cara_phone.uri)  # ready only now: bob had the call
            two_way = call.stretch(1.5)
            to_agent(workers.redis_url, call.attempt, cara.id, CallCommand.CONFERENCE_AGENT)
            cara_in = floor.wait_state("cara", AgentState.ON_CALL, timeout=20)
            wait_outcome(db, call.attempt, "conferenced")
            cara_stream = PhoneStream(capture, cara_phone)
            customer_in, cara_hears_in = both(call, cara_stream)
            bob_in = floor.status("bob")
            if bob_leaves:
                decide(workers.redis_url, call.attempt, CallCommand.CONFERENCE_LEAVE)
                bob_after = floor.wait_state("bob", AgentState.WRAP_UP, timeout=10)
            else:
                decide(workers.redis_url, call.attempt, CallCommand.CONFERENCE_DROP)
                cara_after = floor.wait_state("cara", AgentState.WRAP_UP, timeout=10)
                wait_outcome(db, call.attempt, "dropped")
            customer_after, cara_hears_after = both(call, cara_stream)
            after_status = floor.status("cara" if bob_leaves else "bob")
            if not bob_leaves:  # cara leaves wrap-up without a disposition: it is bob's
                ended = end_wrap_up_after_transfer(
                    floor.service, call.attempt, cara.id, datetime.now(UTC)
                )
            call.hang_up()
            row = wait_ended(db, [call.attempt])[call.attempt]
            told = notices(workers.redis_url, call.attempt)
    assert band_share(two_way, (AGENT_TONE_HZ,)) > 0.8, "bob was not heard first"
    # In the three-way call: on call both, and everybody hears the two others.
    assert cara_in.attempt_id == call.attempt and bob_in.state is AgentState.ON_CALL
    assert band_share(customer_in, (AGENT_TONE_HZ,)) > 0.1, "the customer does not hear bob"
    assert band_share(customer_in, (CARA_TONE_HZ,)) > 0.1, "the customer does not hear cara"
    assert band_share(customer_in, NOTES_HZ) < 0.5, "the customer hears the music on hold"
    assert band_share(cara_hears_in, (AGENT_TONE_HZ,)) > 0.1, "cara does not hear bob"
    assert speech_beside_tones(cara_hears_in) > SPEECH_BESIDE_TONE_RMS, (
        "cara does not hear the customer"
    )
    assert band_share(cara_hears_in, (CARA_TONE_HZ,)) < 0.05, "cara hears herself"
    if bob_leaves:
        # The customer and cara still hear each other; bob is gone, the call is cara's.
        assert band_share(customer_after, (CARA_TONE_HZ,)) > 0.8, "the customer lost cara"
        assert band_share(customer_after, (AGENT_TONE_HZ,)) < 0.05, "bob is still heard"
        assert speech_beside_tones(cara_hears_after) > SPEECH_BESIDE_TONE_RMS, (
            "cara does not hear the customer after bob left"
        )
        assert band_share(cara_hears_after, (AGENT_TONE_HZ,)) < 0.05, "cara still hears bob"
        assert (bob_after.attempt_id, bob_after.reason) == (call.attempt, "transferred")
        assert after_status.state is AgentState.ON_CALL
        assert after_status.attempt_id == call.attempt
        assert row[OUTCOME] == "connected" and row[AGENT_ID] == cara.id
        assert transfer_row(db, call.attempt)[2] == "answered"
    else:
        # Back to bob and the customer; cara wrapped up (not her disposition) and is ready.
        assert band_share(customer_after, (AGENT_TONE_HZ,)) > 0.8, "the customer lost bob"
        assert band_share(customer_after, (CARA_TONE_HZ,)) < 0.05, "cara is still heard"
        assert (cara_after.attempt_id, cara_after.reason) == (call.attempt, "conferenced")
        assert ended.state is AgentState.READY
        assert after_status.state is AgentState.ON_CALL
        assert row[OUTCOME] == "connected" and row[AGENT_ID] == bob.id
        assert any(f"{cara.display_name} left the three-way call" in n for n in told), told
    assert any(f"{cara.display_name} joined" in n for n in told), told
