"""Hold, mute, DTMF and recording on real calls, asked for as the console asks (call commands).

Everything is real: `dialer workers` (Celery, pjsua2), PostgreSQL and Redis, sipp as the
carrier (speech, RFC 2833 offered), baresip as the agent's phone playing a 1 kHz tone. What the
carrier heard is captured off the loopback interface and cut at the moments the commands went,
so each stretch of the call is checked for what it should carry: the agent's tone, the music on
hold's notes, silence while muted, the digits as telephone events.
"""

from __future__ import annotations

import subprocess
import time
import wave
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pytest

from campaigns.agents import AgentState
from campaigns.campaign import RecordingMode
from campaigns.storage.db import Connection
from dialer import call_commands
from dialer.bootstrap import redis_client
from dialer.call_commands import CallCommand
from dialer.carrier import Scenario, SippCarrier
from dialer.carrier.baresip import BaresipAgent
from dialer.hold_music import NOTES_HZ

from .agent_floor import AGENT_ID, OUTCOME, Floor
from .rtp_capture import RtpCapture, rms
from .workers_harness import enqueue, running_workers, wait_ended

pytestmark = [pytest.mark.sip, pytest.mark.usefixtures("service_env")]

Carrier = Callable[[Scenario], SippCarrier]
AGENT_TONE_HZ = 1000.0
# How long each stretch lasts; the first 0.3 s after a command is left out of every check
# (the command crosses Redis, the listener's BLPOP and the SIP loop first).
STRETCH_S = 2.0
SETTLE_S = 0.3
SILENCE_RMS = 60.0


def tone(directory: Path, hz: float, seconds: int) -> Path:
    """The agent's microphone: a steady tone, long enough that baresip never reaches its end
    (baresip hangs up when its file ends)."""
    out = directory / f"tone-{int(hz)}.wav"
    subprocess.run(
        ["sox", "-n", "-r", "8000", "-c", "1", "-b", "16", str(out),
         "synth", str(seconds), "sine", str(hz), "vol", "0.3"],
        check=True,
    )  # fmt: skip
    return out


def band_share(samples: np.ndarray, frequencies: tuple[float, ...], width: float = 40.0) -> float:
    """The share of the signal's energy within ``width`` Hz of any of ``frequencies``."""
    if samples.size < 800:
        return 0.0
    spectrum = np.abs(np.fft.rfft(samples.astype(np.float64))) ** 2
    bins = np.fft.rfftfreq(samples.size, 1 / 8000)
    near = np.zeros(bins.size, dtype=bool)
    for frequency in frequencies:
        near |= np.abs(bins - frequency) <= width
    total = float(spectrum[1:].sum())
    return float(spectrum[near].sum()) / total if total else 0.0


def recorded_mix(db: Connection, service_env: dict[str, str], attempt: int) -> np.ndarray:
    """The attempt's recording (a campaign that always records must have one), as samples."""
    [stored] = db.execute(
        "SELECT recording_path FROM call_attempts WHERE id = %s", (attempt,)
    ).fetchone() or (None,)
    assert stored is not None, "no recording although the campaign always records"
    with wave.open(str(Path(service_env["DIALER_DATA_DIR"]) / stored), "rb") as wav:
        return np.frombuffer(wav.readframes(wav.getnframes()), dtype=np.int16)


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


def test_hold_plays_music_to_the_customer_resume_restores_the_agent_and_dtmf_reaches_the_carrier(
    db: Connection,
    service_env: dict[str, str],
    carrier: Carrier,
    tmp_path: Path,
) -> None:
    customer = carrier(Scenario.ANSWER_WITH_DTMF)
    floor = Floor.on(db, service_env["REDIS_URL"], customer, recording=RecordingMode.ON_DEMAND)
    with BaresipAgent(tmp_path, tone(tmp_path, AGENT_TONE_HZ, 60), user="bob") as bob_phone:
        bob = floor.agent("bob", bob_phone.uri)
        with RtpCapture() as capture, running_workers(service_env, 2, tmp_path) as workers:
            call = connected_call(floor, customer, workers.redis_url, capture, "+12025550171")
            heard = through_every_feature(call)
            call.hang_up()
            row = wait_ended(db, [call.attempt])[call.attempt]
            digits = capture.telephone_events_to(call.port)
    assert row[OUTCOME] == "connected" and row[AGENT_ID] == bob.id
    assert_every_feature_heard(heard, digits, "customer")

    [stored] = db.execute(
        "SELECT recording_path FROM call_attempts WHERE id = %s", (call.attempt,)
    ).fetchone() or (None,)
    assert stored == f"recordings/campaign-{floor.campaign.id}/attempt-{call.attempt}.wav"
    assert_recording_of_both_parties(Path(service_env["DIALER_DATA_DIR"]) / stored, "customer")


def test_a_campaign_that_never_records_refuses_to_start_a_recording(
    db: Connection,
    service_env: dict[str, str],
    carrier: Carrier,
    tmp_path: Path,
) -> None:
    customer = carrier(Scenario.ANSWER_WITH_DTMF)
    floor = Floor.on(db, service_env["REDIS_URL"], customer, recording=RecordingMode.NEVER)
    with BaresipAgent(tmp_path, tone(tmp_path, AGENT_TONE_HZ, 30), user="bob") as bob_phone:
        floor.agent("bob", bob_phone.uri)
        with RtpCapture() as capture, running_workers(service_env, 2, tmp_path) as workers:
            call = connected_call(floor, customer, workers.redis_url, capture, "+12025550172")
            call.command(CallCommand.RECORD_START)
            still_talking = call.stretch(1.0)
            call.hang_up()
            wait_ended(db, [call.attempt])
    assert band_share(still_talking, (AGENT_TONE_HZ,)) > 0.8, "the refusal disturbed the call"
    [stored] = db.execute(
        "SELECT recording_path FROM call_attempts WHERE id = %s", (call.attempt,)
    ).fetchone() or (None,)
    assert stored is None
    assert not list((Path(service_env["DIALER_DATA_DIR"]) / "recordings").glob("**/*.wav"))
    assert "never records calls" in (tmp_path / "workers.log").read_text()


def test_a_campaign_that_always_records_records_every_connected_call_without_being_asked(
    db: Connection,
    service_env: dict[str, str],
    carrier: Carrier,
    tmp_path: Path,
) -> None:
    customer = carrier(Scenario.ANSWER_WITH_DTMF)
    floor = Floor.on(db, service_env["REDIS_URL"], customer, recording=RecordingMode.ALWAYS)
    with BaresipAgent(tmp_path, tone(tmp_path, AGENT_TONE_HZ, 30), user="bob") as bob_phone:
        floor.agent("bob", bob_phone.uri)
        with RtpCapture() as capture, running_workers(service_env, 2, tmp_path) as workers:
            call = connected_call(floor, customer, workers.redis_url, capture, "+12025550173")
            call.command(CallCommand.RECORD_STOP)  # refused: 'always' records the whole call
            call.stretch(3.0)
            call.hang_up()
            wait_ended(db, [call.attempt])
    mix = recorded_mix(db, service_env, call.attempt)
    assert mix.size > 8000 * 3, "the recording stopped before the call ended"
    agent_share = band_share(mix, (AGENT_TONE_HZ,))
    assert 0.1 < agent_share < 0.95, f"agent tone share {agent_share:.2f}: one party is missing"
    assert "records every call in full" in (tmp_path / "workers.log").read_text()
