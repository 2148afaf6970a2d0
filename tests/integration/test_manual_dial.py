"""Click-to-call on real PostgreSQL and Redis: the rules of automatic dialing, the reason when
refused, and the agent reserved for the call they placed."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pytest
from flask import Flask

from campaigns.agents import Agent, AgentState
from campaigns.campaign import Campaign, CampaignState
from campaigns.errors import Conflict
from campaigns.rules import RuleSetName
from campaigns.storage import campaign_store, user_store
from campaigns.storage.db import Connection
from dialer.agents.service import AgentService
from dialer.manual_dial import ManualDial
from tests.agent_factories import make_agent
from tests.agent_fixtures import T0, agents
from tests.dashboard_fixtures import DashboardClient
from tests.factories import make_campaign, make_contacts
from tests.integration.manual_dial_fakes import Sent

__all__ = ["agents"]

LA = "America/Los_Angeles"  # 07:00 at T0: closed under US rules


def _running(db: Connection, **spec: object) -> Campaign:
    made = make_campaign(db, "Manual", trunk_uri="sip:{number}@127.0.0.1:5999", **spec)
    return campaign_store.set_campaign_state(db, made.id, CampaignState.RUNNING)


def _ready(agents: AgentService, db: Connection, name: str, campaign: Campaign) -> int:
    agent = make_agent(db, name, [campaign])
    agents.login(agent.id, T0, [campaign.id])
    agents.ready(agent.id, T0)
    return agent.id


def _refusal(service: ManualDial, agent_id: int, contact_id: int, now: datetime = T0) -> str:
    with pytest.raises(Conflict) as refused:
        service.call_contact(agent_id, contact_id, now)
    return str(refused.value)


def test_click_to_call_is_refused_with_the_reason_by_every_rule(
    db: Connection, agents: AgentService
) -> None:
    campaign = _running(db, max_attempts=2, rule_set=RuleSetName.UK)
    [dnc, far, capped, cooling, done] = make_contacts(
        db, campaign, [f"+1202555{100 + i:04d}" for i in range(5)]
    )
    db.execute("UPDATE contacts SET time_zones = %s WHERE id = %s", ([LA], far))
    db.execute("INSERT INTO dnc_entries (phone_e164, source) VALUES ('+12025550100', 'asked')")
    db.execute("UPDATE contacts SET attempts = 2 WHERE id = %s", (capped,))
    db.execute(
        "UPDATE contacts SET last_abandoned_at = %s WHERE id = %s",
        (T0 - timedelta(hours=10), cooling),
    )
    db.execute("UPDATE contacts SET state = 'done' WHERE id = %s", (done,))
    db.commit()
    sent = Sent()
    service = ManualDial(agents.db, agents, sent)
    agent_id = _ready(agents, db, "ann", campaign)

    assert "do-not-call" in _refusal(service, agent_id, dnc)
    assert "calling hours" in _refusal(service, agent_id, far)
    assert "maximum number of attempts" in _refusal(service, agent_id, capped)
    assert "cool-down" in _refusal(service, agent_id, cooling)
    assert "closed" in _refusal(service, agent_id, done)
    assert sent.dials == []
    assert agents.status(agent_id).state is AgentState.READY
    assert db.execute("SELECT count(*) FROM call_attempts").fetchone() == (0,)


def test_click_to_call_reserves_the_agent_and_queues_a_manual_attempt(
    db: Connection, agents: AgentService
) -> None:
    campaign = _running(db)
    [contact] = make_contacts(db, campaign, ["+12025550201"])
    sent = Sent()
    service = ManualDial(agents.db, agents, sent)
    agent_id = _ready(agents, db, "ann", campaign)
    other = _ready(agents, db, "bob", campaign)

    dialed = service.call_contact(agent_id, contact, T0)

    assert sent.dials == [dialed.attempt_id]
    row = db.execute(
        "SELECT a.kind, a.agent_id, a.state, a.expires_at, k.state FROM call_attempts a"
        " JOIN contacts k ON k.id = a.contact_id WHERE a.id = %s",
        (dialed.attempt_id,),
    ).fetchone()
    assert row == ("manual", agent_id, "queued", T0 + timedelta(seconds=15), "in_flight")
    status = agents.status(agent_id)
    assert (status.state, status.attempt_id) == (AgentState.RESERVED, dialed.attempt_id)
    # The same contact, again or by another agent, while the call is open: refused.
    assert "being called" in _refusal(service, other, contact)


def test_an_agent_who_is_not_ready_cannot_place_a_call(
    db: Connection, agents: AgentService
) -> None:
    campaign = _running(db)
    [contact] = make_contacts(db, campaign, ["+12025550301"])
    service = ManualDial(agents.db, agents, Sent())
    agent_id = _ready(agents, db, "ann", campaign)
    agents.pause(agent_id, "break", T0)
    assert "go ready first" in _refusal(service, agent_id, contact)


def test_the_api_answers_409_with_the_reason(
    dashboard_app: Flask,
    db: Connection,
    make_agent: Callable[..., Agent],
    agents: AgentService,
) -> None:
    sent = Sent()
    dashboard_app.extensions["dialer.dial_sender"] = sent
    campaign = _running(db)
    offset = (12 - datetime.now(UTC).hour + 12) % 24 - 12
    zone = "Etc/GMT" + (f"{-offset:+d}" if offset else "")
    [ok, listed] = make_contacts(db, campaign, ["+12025550401", "+12025550402"], [zone])
    db.execute("INSERT INTO dnc_entries (phone_e164, source) VALUES ('+12025550402', 'asked')")
    db.commit()
    alice = make_agent("alice", (campaign.id,))
    client = dashboard_app.test_client()
    assert isinstance(client, DashboardClient)
    assert client.login(user_store.get_user(db, alice.user_id).username).status_code == 302
    client.send_json("POST", "/api/v1/agent/login", {"campaign_ids": [campaign.id]})
    client.send_json("POST", "/api/v1/agent/ready", {})

    refused = client.send_json("POST", f"/api/v1/contacts/{listed}/call")
    assert refused.status_code == 409
    assert refused.json is not None and "do-not-call" in refused.json["message"]
    assert client.send_json("POST", "/api/v1/contacts/999999/call").status_code == 404
    placed = client.send_json("POST", f"/api/v1/contacts/{ok}/call")
    assert placed.status_code == 202 and placed.json == {"attempt_id": sent.dials[0]}
    assert client.get("/api/v1/agent/status").json["state"] == "reserved"
