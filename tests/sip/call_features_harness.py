"""A call on the sip tier's floor driven as the console drives it (hold, mute, DTMF,
recording), and what its far party heard."""

from __future__ import annotations

import time
import wave
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import numpy as np

from campaigns.agents import AgentState
from dialer import call_commands
from dialer.bootstrap import redis_client
from dialer.call_commands import CallCommand
from dialer.carrier import SippCarrier
from dialer.hold_music import NOTES_HZ

from .agent_floor import Floor
from .call_audio import AGENT_TONE_HZ, SETTLE_S, SILENCE_RMS, STRETCH_S, band_share
from .rtp_capture import RtpCapture, rms
from .workers_harness import enqueue


class Call:
    """One call on the floor, driven as the console drives it."""

    def __init__(self, workers_redis: str, attempt: int, capture: RtpCapture, port: int) -> None:
        self.redis = redis_client(workers_redis)
        self.attempt = attempt
        self.capture = capture
        self.port = port

    def command(self, command: CallCommand, digits: str = "") -> None:
        call_commands.send(
            self.redis, self.attempt, command, "agent test", datetime.now(UTC), digits
        )

    def stretch(self, seconds: float = STRETCH_S) -> np.ndarray:
        """What the carrier hears over the next ``seconds`` (after the settling time)."""
        time.sleep(SETTLE_S)
        start = self.capture.packets_to(self.port)
        time.sleep(seconds)
        return self.capture.audio_to(self.port, start, self.capture.packets_to(self.port))

    def hang_up(self) -> None:
        call_commands.request_hangup(self.redis, self.attempt, "agent test")


def connected_call(
    floor: Floor, customer: SippCarrier, workers_redis: str, capture: RtpCapture, number: str
) -> Call:
    [attempt] = floor.attempts(number)
    enqueue(workers_redis, [attempt])
    floor.wait_state("bob", AgentState.ON_CALL, timeout=30)
    deadline = time.monotonic() + 5  # sipp flushes its message log about once a second
    while not (ports := customer.answered_media_ports()) and time.monotonic() < deadline:
        time.sleep(0.1)
    [port] = ports
    return Call(workers_redis, attempt, capture, port)


@dataclass(frozen=True)
class Heard:
    """What the far party heard in each stretch of a call driven through every feature."""

    talking: np.ndarray
    held: np.ndarray
    resumed: np.ndarray
    muted: np.ndarray
    unmuted: np.ndarray


def through_every_feature(call: Call) -> Heard:
    """Record, hold, resume, mute, unmute, then the digits 1 2 # (the console's commands)."""
    call.command(CallCommand.RECORD_START)
    talking = call.stretch()
    call.command(CallCommand.HOLD)
    held = call.stretch(3.0)
    call.command(CallCommand.RESUME)
    resumed = call.stretch()
    call.command(CallCommand.MUTE)
    muted = call.stretch()
    call.command(CallCommand.UNMUTE)
    unmuted = call.stretch()
    call.command(CallCommand.DTMF, "12#")
    time.sleep(1.5)
    return Heard(talking, held, resumed, muted, unmuted)


def assert_every_feature_heard(heard: Heard, digits: list[int], party: str) -> None:
    assert band_share(heard.talking, (AGENT_TONE_HZ,)) > 0.8, "the agent was not heard at first"
    assert rms(heard.held) > SILENCE_RMS, f"the held {party} heard silence"
    assert band_share(heard.held, NOTES_HZ) > 0.8, f"the held {party} did not hear the music"
    assert band_share(heard.held, (AGENT_TONE_HZ,)) < 0.05, "the agent was heard while on hold"
    assert band_share(heard.resumed, (AGENT_TONE_HZ,)) > 0.8, "resume did not bridge the agent"
    assert band_share(heard.resumed, NOTES_HZ) < 0.05, "the music went on after resume"
    assert rms(heard.muted) < SILENCE_RMS, f"the {party} heard a muted agent"
    assert band_share(heard.unmuted, (AGENT_TONE_HZ,)) > 0.8, "unmute did not restore the agent"
    assert digits == [1, 2, 11], f"the {party} received telephone events {digits}, not 1 2 #"


def assert_recording_of_both_parties(path: Path, party: str) -> None:
    with wave.open(str(path), "rb") as wav:
        assert (wav.getframerate(), wav.getsampwidth(), wav.getnchannels()) == (8000, 2, 1)
        mix = np.frombuffer(wav.readframes(wav.getnframes()), dtype=np.int16)
    assert mix.size > 8000 * 8, "the recording is shorter than the call"
    # Both parties: the agent's tone, and the other party's speech (everything else in the
    # voice band); the music on hold is not part of the call's recording.
    agent_share = band_share(mix, (AGENT_TONE_HZ,))
    assert 0.1 < agent_share < 0.95, f"agent tone share {agent_share:.2f}: one party is missing"
    assert rms(mix) * np.sqrt(1 - agent_share) > SILENCE_RMS, f"the {party} is not in it"
    assert band_share(mix, NOTES_HZ) < 0.05, "the music on hold was recorded"
