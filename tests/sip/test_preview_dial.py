"""Preview dialing and click-to-call end to end: an agent on a preview campaign is shown a
contact through the dashboard's API and clicks Dial (or calls a contact from its record), and a
real worker (`dialer workers`, pjsua2) calls the sipp carrier and bridges this very agent's phone
(`dialer softphone --auto-answer`), reserved from the moment of the click. The attempt is stored
as kind 'preview' (or 'manual') with the agent and the outcome."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from flask import Flask

from campaigns.agents import AgentSpec, AgentState
from campaigns.campaign import CampaignState, DialMode
from campaigns.storage import agent_store, campaign_store
from campaigns.storage.db import Connection
from dialer.carrier import Scenario, SippCarrier
from dialer.telephony.ports import free_udp_port
from tests.dashboard_fixtures import DashboardClient, password_hash
from tests.factories import make_contacts

from .agent_floor import AGENT_CONNECT_AT, AGENT_ID, ANSWER_AT, OUTCOME, Floor, between
from .live_dashboard import dashboard
from .softphone_process import SoftphoneProcess
from .workers_harness import running_workers, wait_ended

__all__ = ["dashboard"]

pytestmark = [pytest.mark.sip, pytest.mark.usefixtures("service_env")]

Carrier = Callable[[Scenario], SippCarrier]


@pytest.fixture
def agent_phone() -> Iterator[SoftphoneProcess]:
    phone = SoftphoneProcess("--port", str(free_udp_port()), "--user", "pia", "--auto-answer")
    yield phone
    phone.stop()


def _zone_where_it_is_midday(at: datetime) -> str:
    offset = (12 - at.hour + 12) % 24 - 12
    return "Etc/GMT" + (f"{-offset:+d}" if offset else "")


class PreviewFloor:
    """A preview campaign on a sipp carrier, Pia signed in to the dashboard and ready."""

    def __init__(
        self,
        db: Connection,
        service_env: dict[str, str],
        customer: SippCarrier,
        dashboard: Flask,
        sip_uri: str,
    ) -> None:
        self.floor = Floor.on(db, service_env["REDIS_URL"], customer, dial_mode=DialMode.PREVIEW)
        campaign_store.set_campaign_state(db, self.floor.campaign.id, CampaignState.RUNNING)
        spec = AgentSpec(sip_uri=sip_uri, campaign_ids=(self.floor.campaign.id,))
        self.pia = agent_store.insert_agent(db, "pia", "Pia Agent", password_hash(), spec)
        # Another ready agent on the same campaign: a call Pia chose must never go to Otto.
        self.floor.agent("otto", "sip:otto@127.0.0.1:5", ready=True)
        db.commit()
        zone = _zone_where_it_is_midday(datetime.now(UTC))
        [self.contact] = make_contacts(
            db, self.floor.campaign, ["+12025550191"], [zone], first_name="Grace"
        )
        client = dashboard.test_client()
        assert isinstance(client, DashboardClient)
        assert client.login("pia").status_code == 302
        client.send_json("POST", "/api/v1/agent/login", {"campaign_ids": [self.floor.campaign.id]})
        client.send_json("POST", "/api/v1/agent/ready", {})
        self.client = client

    def preview_and_dial(self) -> int:
        card = self.client.get("/api/v1/agent/preview").json
        assert card is not None and card["screen_pop"]["contact"]["id"] == self.contact
        attempt = int(card["attempt_id"])
        assert self.floor.wait_state(self.pia.id, AgentState.RESERVED).attempt_id == attempt
        dialed = self.client.send_json("POST", "/api/v1/agent/preview/dial")
        assert dialed.status_code == 202, dialed.json
        return attempt


def test_an_agent_dials_a_previewed_contact_and_the_worker_bridges_that_agent(
    db: Connection,
    service_env: dict[str, str],
    carrier: Carrier,
    tmp_path: Path,
    agent_phone: SoftphoneProcess,
    dashboard: Flask,
) -> None:
    customer = carrier(Scenario.ANSWER_AND_WAIT)  # talks until our side hangs up
    [uri] = agent_phone.ready_uris()
    setup = PreviewFloor(db, service_env, customer, dashboard, uri)
    floor, pia = setup.floor, setup.pia

    with running_workers(service_env, 2, tmp_path):
        attempt = setup.preview_and_dial()
        floor.wait_state(pia.id, AgentState.ON_CALL, timeout=60)
        assert floor.status("otto").state is AgentState.READY  # never offered this call

        hung_up = setup.client.send_json("POST", f"/api/v1/attempts/{attempt}/hangup")
        assert hung_up.status_code == 202, hung_up.json
        row = wait_ended(db, [attempt])[attempt]

    assert row[OUTCOME] == "connected" and row[AGENT_ID] == pia.id
    assert between(row, ANSWER_AT, AGENT_CONNECT_AT) < 2.0
    stored = db.execute(
        "SELECT kind, agent_id, outcome, hangup_by FROM call_attempts WHERE id = %s", (attempt,)
    ).fetchone()
    assert stored == ("preview", pia.id, "connected", "agent")
    floor.wait_state(pia.id, AgentState.WRAP_UP)


def test_a_busy_customer_gives_the_agent_back_ready_and_the_contact_to_the_retry_policy(
    db: Connection,
    service_env: dict[str, str],
    carrier: Carrier,
    tmp_path: Path,
    agent_phone: SoftphoneProcess,
    dashboard: Flask,
) -> None:
    customer = carrier(Scenario.BUSY_486)
    [uri] = agent_phone.ready_uris()
    setup = PreviewFloor(db, service_env, customer, dashboard, uri)

    with running_workers(service_env, 2, tmp_path):
        attempt = setup.preview_and_dial()
        row = wait_ended(db, [attempt])[attempt]
        setup.floor.wait_state(setup.pia.id, AgentState.READY, timeout=20)

    assert row[OUTCOME] == "busy"
    stored = db.execute(
        "SELECT a.kind, a.agent_id, a.sip_status, k.state, k.attempts FROM call_attempts a"
        " JOIN contacts k ON k.id = a.contact_id WHERE a.id = %s",
        (attempt,),
    ).fetchone()
    assert stored == ("preview", setup.pia.id, 486, "dialable", 1)


def test_click_to_call_from_a_contact_record_bridges_the_agent_who_clicked(
    db: Connection,
    service_env: dict[str, str],
    carrier: Carrier,
    tmp_path: Path,
    agent_phone: SoftphoneProcess,
    dashboard: Flask,
) -> None:
    customer = carrier(Scenario.ANSWER_AND_WAIT)
    [uri] = agent_phone.ready_uris()
    setup = PreviewFloor(db, service_env, customer, dashboard, uri)
    floor, pia = setup.floor, setup.pia

    with running_workers(service_env, 2, tmp_path):
        placed = setup.client.send_json("POST", f"/api/v1/contacts/{setup.contact}/call")
        assert placed.status_code == 202, placed.json
        assert placed.json is not None
        attempt = int(placed.json["attempt_id"])
        floor.wait_state(pia.id, AgentState.ON_CALL, timeout=60)
        assert floor.status("otto").state is AgentState.READY
        hung_up = setup.client.send_json("POST", f"/api/v1/attempts/{attempt}/hangup")
        assert hung_up.status_code == 202, hung_up.json
        row = wait_ended(db, [attempt])[attempt]

    assert row[OUTCOME] == "connected" and row[AGENT_ID] == pia.id
    stored = db.execute(
        "SELECT kind, agent_id, outcome FROM call_attempts WHERE id = %s", (attempt,)
    ).fetchone()
    assert stored == ("manual", pia.id, "connected")
