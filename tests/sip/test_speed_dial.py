"""Speed dial end to end: an agent dials a speed-dial entry from the softphone's keyboard
(`*2#`, through the dashboard's API with the agent's token) or from the console (the same API
with the console's session), and a real worker (`dialer workers`, pjsua2) rings this agent's
phone (`dialer softphone --auto-answer`), then calls the entry's number on the campaign's trunk,
where sipp answers as the dialed party. The dialed party's voice is checked in the phone's
recording. A number on a DNC list is refused with its reason and nothing rings."""

from __future__ import annotations

import time as clock
from collections.abc import Callable
from pathlib import Path

import pytest
from flask import Flask

from campaigns.agents import AgentState
from campaigns.speed_dial import Scope, SpeedDialSpec
from campaigns.storage import speed_dial_store, user_store
from campaigns.storage.db import Connection
from dialer.carrier import Scenario, SippCarrier
from dialer.telephony.ports import free_udp_port
from tests.dashboard_fixtures import DashboardClient, password_hash

from .agent_floor import AGENT_ID, OUTCOME
from .audio_check import SPEECH_RMS, rms
from .live_dashboard import api_url, dashboard
from .softphone_process import SoftphoneProcess
from .speed_dial_floor import ESCALATIONS, SpeedDialFloor
from .workers_harness import running_workers, wait_ended

__all__ = ["api_url", "dashboard"]

pytestmark = [pytest.mark.sip, pytest.mark.usefixtures("service_env")]

Carrier = Callable[[Scenario], SippCarrier]
TALK_S = 3.0


def _stored(db: Connection, attempt: int) -> tuple[object, ...] | None:
    return db.execute(
        "SELECT kind, agent_id, contact_id, called_number, outcome FROM call_attempts"
        " WHERE id = %s",
        (attempt,),
    ).fetchone()


def test_star_2_on_the_softphone_dials_slot_2_and_bridges_this_agent(
    db: Connection,
    service_env: dict[str, str],
    carrier: Carrier,
    tmp_path: Path,
    api_url: str,
) -> None:
    customer = carrier(Scenario.ANSWER_AND_WAIT)  # the escalations desk: talks until we hang up
    port = free_udp_port()
    setup = SpeedDialFloor(db, service_env["REDIS_URL"], customer, port)
    heard = tmp_path / "heard"
    phone = SoftphoneProcess(
        "--port", str(port), "--user", "pia", "--auto-answer", "--record", str(heard),
        "--token", setup.token, "--api-url", api_url,
    )  # fmt: skip
    try:
        assert phone.ready_uris() == [setup.uri]
        with running_workers(service_env, 2, tmp_path):
            phone.press("*2#")
            phone.wait_for(f"speed dial 2: calling Escalations {ESCALATIONS}")
            attempt = setup.the_call(db)
            phone.wait_for("connected", timeout=30)
            clock.sleep(TALK_S)  # long enough for the phone to record the dialed party
            phone.press("h")  # the agent hangs up from the phone
            row = wait_ended(db, [attempt])[attempt]
    finally:
        phone.stop()

    assert row[OUTCOME] == "connected" and row[AGENT_ID] == setup.pia.id
    assert _stored(db, attempt) == ("manual", setup.pia.id, None, ESCALATIONS, "connected")
    [recording] = heard.glob("*.wav")
    assert rms(recording) > SPEECH_RMS, "the dialed party's voice did not reach the agent"


def test_the_console_dials_an_entry_and_a_dnc_number_is_refused_with_the_reason(
    db: Connection,
    service_env: dict[str, str],
    carrier: Carrier,
    tmp_path: Path,
    dashboard: Flask,
) -> None:
    customer = carrier(Scenario.ANSWER_AND_WAIT)
    port = free_udp_port()
    setup = SpeedDialFloor(db, service_env["REDIS_URL"], customer, port)
    blocked = SpeedDialSpec(3, "+442079460003", "Old desk")
    speed_dial_store.put_entry(db, Scope.AGENT, setup.pia.id, blocked)
    db.execute("INSERT INTO dnc_entries (phone_e164, source) VALUES ('+442079460003', 'asked')")
    user_store.set_password(db, setup.pia.user_id, password_hash())
    client = dashboard.test_client()
    assert isinstance(client, DashboardClient)
    assert client.login("pia").status_code == 302
    phone = SoftphoneProcess("--port", str(port), "--user", "pia", "--auto-answer")
    try:
        assert phone.ready_uris() == [setup.uri]
        with running_workers(service_env, 2, tmp_path):
            refused = client.send_json("POST", "/api/v1/agent/speed-dial/3/call")
            assert refused.status_code == 409
            assert refused.json is not None and "do-not-call" in refused.json["message"]
            assert setup.floor.status("pia").state is AgentState.READY

            placed = client.send_json("POST", "/api/v1/agent/speed-dial/2/call")
            assert placed.status_code == 202, placed.json
            assert placed.json is not None and placed.json["entry"]["label"] == "Escalations"
            attempt = setup.the_call(db)
            assert attempt == placed.json["attempt_id"]
            hung_up = client.send_json("POST", f"/api/v1/attempts/{attempt}/hangup")
            assert hung_up.status_code == 202, hung_up.json
            wait_ended(db, [attempt])
    finally:
        phone.stop()

    assert _stored(db, attempt) == ("manual", setup.pia.id, None, ESCALATIONS, "connected")
    assert "INCOMING CALL" in phone.screen() and phone.screen().count("INCOMING CALL") == 1
