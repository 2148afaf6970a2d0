"""Hang-up, hold, mute, DTMF and recording on a real inbound call, asked for as the console asks
(the call's commands under its id negated, dialer.call_commands).

Everything is real: `dialer inbound serve` (pjsua2), PostgreSQL and Redis, a sipp caller
(speech, RFC 2833 offered), baresip as the agent's phone playing a 1 kHz tone. What the caller
heard is captured off the loopback interface and cut at the moments the commands went, as in
test_call_features for outbound calls.
"""

from __future__ import annotations

import time
import wave
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest

from campaigns.agents import AgentState
from campaigns.campaign import RecordingMode
from campaigns.storage import inbound_store
from campaigns.storage.db import Connection
from dialer.call_commands import CallCommand
from dialer.carrier import Scenario, SippCarrier
from dialer.carrier.baresip import BaresipAgent
from dialer.hold_music import NOTES_HZ

from .agent_floor import Floor
from .inbound_harness import AGENT_ID, OUTCOME, RECORDING, caller, calls, running_inbound
from .rtp_capture import RtpCapture, rms
from .test_call_features import AGENT_TONE_HZ, SILENCE_RMS, Call, band_share, tone

pytestmark = [pytest.mark.sip, pytest.mark.usefixtures("service_env")]

Carrier = Callable[[Scenario], SippCarrier]
DID = "+18005550100"
CALLER = "+12125550123"


def test_an_inbound_call_is_held_resumed_muted_dialed_recorded_and_hung_up_from_the_console(
    db: Connection,
    service_env: dict[str, str],
    carrier: Carrier,
    tmp_path: Path,
) -> None:
    trunk = carrier(Scenario.ANSWER_AND_WAIT)  # the campaign's trunk: not dialed here
    floor = Floor.on(db, service_env["REDIS_URL"], trunk, recording=RecordingMode.ON_DEMAND)
    inbound_store.add_queue(db, "Help line", floor.campaign.id, [DID])
    with BaresipAgent(tmp_path, tone(tmp_path, AGENT_TONE_HZ, 60), user="bob") as bob_phone:
        bob = floor.agent("bob", bob_phone.uri)
        with RtpCapture() as capture, running_inbound(service_env, tmp_path) as inbound:
            sipp = caller(tmp_path, inbound, DID, CALLER)  # waits for our BYE
            floor.wait_state("bob", AgentState.ON_CALL, timeout=30)
            [(call_id,)] = db.execute("SELECT id FROM inbound_calls").fetchall()
            deadline = time.monotonic() + 5  # sipp flushes its message log about once a second
            while not (ports := sipp.offered_media_ports()) and time.monotonic() < deadline:
                time.sleep(0.1)
            [port] = ports
            call = Call(service_env["REDIS_URL"], -call_id, capture, port)
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
            call.command(CallCommand.TRANSFER_CANCEL)  # refused: inbound calls are not transferred
            call.command(CallCommand.DTMF, "12#")
            time.sleep(1.5)
            call.hang_up()
            assert sipp.wait(20) == 0, "the caller was not hung up"
            sipp.stop()
            [row] = calls(db)
            digits = capture.telephone_events_to(port)
            floor.wait_state("bob", AgentState.WRAP_UP)
    assert row[OUTCOME] == "answered" and row[AGENT_ID] == bob.id

    assert band_share(talking, (AGENT_TONE_HZ,)) > 0.8, "the agent was not heard before hold"
    assert rms(held) > SILENCE_RMS, "the held caller heard silence"
    assert band_share(held, NOTES_HZ) > 0.8, "the held caller did not hear the music"
    assert band_share(held, (AGENT_TONE_HZ,)) < 0.05, "the agent was heard while on hold"
    assert band_share(resumed, (AGENT_TONE_HZ,)) > 0.8, "resume did not bridge the agent again"
    assert band_share(resumed, NOTES_HZ) < 0.05, "the music went on after resume"
    assert rms(muted) < SILENCE_RMS, "the caller heard a muted agent"
    assert band_share(unmuted, (AGENT_TONE_HZ,)) > 0.8, "unmute did not restore the agent"
    assert digits == [1, 2, 11], f"the caller received telephone events {digits}, not 1 2 #"
    assert "not transferred" in (tmp_path / "inbound.log").read_text()

    stored = row[RECORDING]
    assert stored == f"recordings/campaign-{floor.campaign.id}/inbound-{call_id}.wav"
    with wave.open(str(Path(service_env["DIALER_DATA_DIR"]) / str(stored)), "rb") as wav:
        assert (wav.getframerate(), wav.getsampwidth(), wav.getnchannels()) == (8000, 2, 1)
        mix = np.frombuffer(wav.readframes(wav.getnframes()), dtype=np.int16)
    assert mix.size > 8000 * 8, "the recording is shorter than the call"
    agent_share = band_share(mix, (AGENT_TONE_HZ,))
    assert 0.1 < agent_share < 0.95, f"agent tone share {agent_share:.2f}: one party is missing"
    assert rms(mix) * np.sqrt(1 - agent_share) > SILENCE_RMS, "the caller is not in it"
    assert band_share(mix, NOTES_HZ) < 0.05, "the music on hold was recorded"
