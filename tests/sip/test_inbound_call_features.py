"""Hang-up, hold, mute, DTMF and recording on a real inbound call, asked for as the console asks
(the call's commands under its id negated, dialer.call_commands).

Everything is real: `dialer inbound serve` (pjsua2), PostgreSQL and Redis, a sipp caller
(speech, RFC 2833 offered), baresip as the agent's phone playing a 1 kHz tone. What the caller
heard is captured off the loopback interface and cut at the moments the commands went, as in
test_call_features for outbound calls.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

import pytest

from campaigns.agents import AgentState
from campaigns.campaign import RecordingMode
from campaigns.storage import inbound_store
from campaigns.storage.db import Connection
from dialer.call_commands import CallCommand
from dialer.carrier import Scenario, SippCarrier
from dialer.carrier.baresip import BaresipAgent

from .agent_floor import Floor
from .call_audio import AGENT_TONE_HZ, tone
from .call_features_harness import (
    Call,
    assert_every_feature_heard,
    assert_recording_of_both_parties,
    through_every_feature,
)
from .inbound_harness import (
    AGENT_ID,
    OUTCOME,
    RECORDING,
    caller,
    calls,
    media_port,
    running_inbound,
)
from .rtp_capture import RtpCapture

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
            port = media_port(sipp)
            call = Call(service_env["REDIS_URL"], -call_id, capture, port)
            heard = through_every_feature(call)
            call.command(CallCommand.TRANSFER_CANCEL)  # refused: inbound calls are not transferred
            time.sleep(0.5)
            call.hang_up()
            assert sipp.wait(20) == 0, "the caller was not hung up"
            sipp.stop()
            [row] = calls(db)
            digits = capture.telephone_events_to(port)
            floor.wait_state("bob", AgentState.WRAP_UP)
    assert row[OUTCOME] == "answered" and row[AGENT_ID] == bob.id

    assert_every_feature_heard(heard, digits, "caller")
    assert "not transferred" in (tmp_path / "inbound.log").read_text()

    stored = row[RECORDING]
    assert stored == f"recordings/campaign-{floor.campaign.id}/inbound-{call_id}.wav"
    assert_recording_of_both_parties(Path(service_env["DIALER_DATA_DIR"]) / str(stored), "caller")
