"""Three-way call on real calls, asked for as the console asks: the agent adds an external
number, all three hear each other, then the agent leaves (the customer and the third party
stay connected) or drops the third party (back to a two-way call).

Everything is real (tests/sip/transfer_calls.py's `talking_with_bob`): workers, sipp
answering both the customer and the third party with speech, baresip as the agent playing a
1 kHz tone. sipp answers both calls on one media port: what the worker sends to each is told
apart by SSRC (the customer's stream came first), captured off the loopback interface. Each
stream is checked for the agent's tone and for speech beside it (the energy away from the
tone: the other sipp party's voice, since the bridge never returns a party's own).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pytest

from campaigns.agents import AgentState
from campaigns.campaign import RecordingMode
from campaigns.storage.db import Connection
from dialer import call_commands
from dialer.call_commands import CallCommand
from dialer.carrier import Scenario, SippCarrier
from dialer.hold_music import NOTES_HZ

from .call_audio import (
    AGENT_TONE_HZ,
    SETTLE_S,
    SILENCE_RMS,
    SPEECH_BESIDE_TONE_RMS,
    band_share,
    recorded_mix,
)
from .call_features_harness import Call
from .full_process import notices
from .rtp_capture import rms
from .transfer_calls import THIRD_PARTY, talking_with_bob, transfer_row, wait_outcome

pytestmark = [pytest.mark.sip, pytest.mark.usefixtures("service_env")]

Carrier = Callable[[Scenario], SippCarrier]


def speech_beside_tone(samples: np.ndarray) -> float:
    if samples.size < 800:
        return 0.0
    window = np.hanning(samples.size)  # no leakage of the tone into the other bins
    spectrum = np.abs(np.fft.rfft(samples.astype(np.float64) * window)) ** 2
    bins = np.fft.rfftfreq(samples.size, 1 / 8000)
    away = (np.abs(bins - AGENT_TONE_HZ) > 100) & (bins > 50)
    # Parseval, undoing the window's loss of energy.
    energy = 2 * float(spectrum[away].sum()) / (samples.size * float((window**2).sum()))
    return float(np.sqrt(energy))


def streams(call: Call, count: int, seconds: float = 2.0) -> list[np.ndarray]:
    """What the worker sends to the customer (and the third party) over the same stretch."""
    capture, port = call.capture, call.port
    deadline = time.monotonic() + 5
    while len(ssrcs := capture.ssrcs_to(port)) < count:
        assert time.monotonic() < deadline, f"fewer than {count} streams reached the carrier"
        time.sleep(0.05)
    time.sleep(SETTLE_S)
    start = capture.packets_to(port)
    time.sleep(seconds)
    end = capture.packets_to(port)
    return [capture.audio_to(port, start, end, ssrc=ssrc) for ssrc in ssrcs[:count]]


def command(call: Call, what: CallCommand, destination: str = "") -> None:
    call_commands.send(
        call.redis, call.attempt, what, "agent test", datetime.now(UTC), destination=destination
    )


def add_third_party(db: Connection, call: Call) -> None:
    command(call, CallCommand.CONFERENCE, THIRD_PARTY)
    wait_outcome(db, call.attempt, "conferenced")


def test_in_a_three_way_call_all_hear_each_other_and_the_two_others_stay_when_the_agent_leaves(
    db: Connection, service_env: dict[str, str], carrier: Carrier, tmp_path: Path
) -> None:
    with talking_with_bob(db, service_env, carrier, tmp_path, "+12025550191") as (floor, call):
        [two_way] = streams(call, 1, 1.5)
        add_third_party(db, call)
        to_customer, to_third = streams(call, 2, 2.5)
        bob_in_conference = floor.status("bob").state
        command(call, CallCommand.CONFERENCE_LEAVE)
        floor.wait_state("bob", AgentState.WRAP_UP, timeout=10)
        after_customer, after_third = streams(call, 2, 2.5)
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
    assert transfer_row(db, call.attempt)[2] == "answered"
    assert any(
        f"{THIRD_PARTY} joined" in n for n in notices(service_env["REDIS_URL"], call.attempt)
    )


def test_dropping_the_third_party_leaves_the_agent_with_the_customer(
    db: Connection, service_env: dict[str, str], carrier: Carrier, tmp_path: Path
) -> None:
    with talking_with_bob(db, service_env, carrier, tmp_path, "+12025550193") as (floor, call):
        add_third_party(db, call)
        [in_conference, _] = streams(call, 2, 2.0)
        command(call, CallCommand.CONFERENCE_DROP)
        wait_outcome(db, call.attempt, "dropped")
        [after] = streams(call, 1, 2.0)
        bob_after = floor.status("bob").state
    assert speech_beside_tone(in_conference) > SPEECH_BESIDE_TONE_RMS, "no third party heard"
    assert bob_after is AgentState.ON_CALL
    assert band_share(after, (AGENT_TONE_HZ,)) > 0.8, "the customer lost the agent"
    assert speech_beside_tone(after) < SPEECH_BESIDE_TONE_RMS, "the third party is still heard"
    dropped = f"{THIRD_PARTY} left the three-way call"
    assert any(dropped in n for n in notices(service_env["REDIS_URL"], call.attempt))


def test_a_consultation_made_a_three_way_call_lets_the_customer_hear_both(
    db: Connection, service_env: dict[str, str], carrier: Carrier, tmp_path: Path
) -> None:
    with talking_with_bob(db, service_env, carrier, tmp_path, "+12025550195") as (floor, call):
        command(call, CallCommand.CONSULT, THIRD_PARTY)
        wait_outcome(db, call.attempt, "consulting")
        [consulting, _] = streams(call, 2, 1.5)
        command(call, CallCommand.CONFERENCE_MERGE)
        wait_outcome(db, call.attempt, "conferenced")
        to_customer, to_third = streams(call, 2, 2.0)
        bob_in_conference = floor.status("bob").state
    assert band_share(consulting, NOTES_HZ) > 0.8, "the customer was not on hold meanwhile"
    assert bob_in_conference is AgentState.ON_CALL
    for heard, who in ((to_customer, "customer"), (to_third, "third party")):
        assert band_share(heard, (AGENT_TONE_HZ,)) > 0.1, f"the {who} does not hear the agent"
        assert speech_beside_tone(heard) > SPEECH_BESIDE_TONE_RMS, f"the {who} hears no one else"
        assert band_share(heard, NOTES_HZ) < 0.5, f"the {who} hears the music on hold"


def test_a_recording_goes_on_through_a_three_way_call_and_after_the_agent_left(
    db: Connection, service_env: dict[str, str], carrier: Carrier, tmp_path: Path
) -> None:
    with talking_with_bob(
        db, service_env, carrier, tmp_path, "+12025550196", recording=RecordingMode.ALWAYS
    ) as (floor, call):
        add_third_party(db, call)
        streams(call, 2, 2.0)
        command(call, CallCommand.CONFERENCE_LEAVE)
        floor.wait_state("bob", AgentState.WRAP_UP, timeout=10)
        streams(call, 2, 2.0)
    mix = recorded_mix(db, service_env, call.attempt)
    assert mix.size > 8000 * 5, "the recording stopped before the call ended"
    assert band_share(mix, (AGENT_TONE_HZ,)) > 0.1, "the agent is not in the recording"
    assert speech_beside_tone(mix) > SPEECH_BESIDE_TONE_RMS, "no speech in the recording"
    # The last second: after the agent left, the two others are still recorded.
    assert band_share(mix[-8000:], (AGENT_TONE_HZ,)) < 0.05
    assert rms(mix[-8000:]) > SILENCE_RMS
