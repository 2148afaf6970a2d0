"""Speed dial on real PostgreSQL and Redis: entries kept per agent and per campaign, the agent's
own winning its slot, and dialing an entry as click-to-call with every rule and its reason."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

import pytest
from flask import Flask

from campaigns.agents import Agent, AgentState
from campaigns.campaign import Campaign, CampaignState
from campaigns.errors import Conflict, NotFound
from campaigns.speed_dial import Scope, SpeedDialSpec
from campaigns.storage import campaign_store, speed_dial_store, user_store
from campaigns.storage.db import Connection
from dialer.agents.service import AgentService
from dialer.manual_dial import ManualDial
from dialer.speed_dial import SpeedDial
from tests.agent_factories import make_agent
from tests.agent_fixtures import T0, agents
from tests.dashboard_fixtures import DashboardClient
from tests.factories import make_campaign, make_contacts

from .manual_dial_fakes import Sent

__all__ = ["agents"]

DESK = "+442079460001"  # a London number: 15:00 there at T0, inside UK calling hours
LEAD = "+442079460002"


def _running(db: Connection, name: str = "Speedy", **spec: object) -> Campaign:
    made = make_campaign(db, name, trunk_uri="sip:{number}@127.0.0.1:5999", **spec)
    return campaign_store.set_campaign_state(db, made.id, CampaignState.RUNNING)


def _ready(agents: AgentService, db: Connection, name: str, *campaigns: Campaign) -> int:
    agent = make_agent(db, name, list(campaigns))
    agents.login(agent.id, T0, [c.id for c in campaigns])
    agents.ready(agent.id, T0)
    return agent.id


def _put(db: Connection, scope: Scope, owner: int, slot: int, number: str, label: str) -> None:
    speed_dial_store.put_entry(db, scope, owner, SpeedDialSpec(slot, number, label))


def _refusal(service: SpeedDial, agent_id: int, slot: int, now: datetime = T0) -> str:
    with pytest.raises(Conflict) as refused:
        service.dial(agent_id, slot, now)
    return str(refused.value)


def test_entries_are_kept_per_slot_and_the_agents_own_wins(
    db: Connection, agents: AgentService
) -> None:
    first, second = _running(db, "First"), _running(db, "Second")
    agent_id = _ready(agents, db, "ann", first, second)
    _put(db, Scope.CAMPAIGN, first.id, 2, DESK, "escalations")
    _put(db, Scope.CAMPAIGN, second.id, 2, LEAD, "second's desk")
    _put(db, Scope.CAMPAIGN, second.id, 3, LEAD, "billing")
    _put(db, Scope.AGENT, agent_id, 3, LEAD, "my lead")
    _put(db, Scope.AGENT, agent_id, 3, DESK, "my lead, new line")  # replaces slot 3
    service = SpeedDial(agents.db, agents, ManualDial(agents.db, agents, Sent()))

    seen = [(e.slot, e.scope, e.spec.label, e.spec.phone_e164) for e in service.entries(agent_id)]

    assert seen == [
        (2, Scope.CAMPAIGN, "escalations", DESK),
        (3, Scope.AGENT, "my lead, new line", DESK),
    ]
    speed_dial_store.delete_entry(db, Scope.AGENT, agent_id, 3)
    assert [e.spec.label for e in service.entries(agent_id)] == ["escalations", "billing"]
    with pytest.raises(NotFound):
        speed_dial_store.delete_entry(db, Scope.AGENT, agent_id, 3)


def test_dialing_an_entry_queues_a_manual_attempt_to_its_number_and_reserves_the_agent(
    db: Connection, agents: AgentService
) -> None:
    campaign = _running(db)
    agent_id = _ready(agents, db, "ann", campaign)
    _put(db, Scope.CAMPAIGN, campaign.id, 2, DESK, "escalations")
    sent = Sent()
    service = SpeedDial(agents.db, agents, ManualDial(agents.db, agents, sent))

    entry, dialed = service.dial(agent_id, 2, T0)

    assert entry.spec.label == "escalations" and sent.dials == [dialed.attempt_id]
    row = db.execute(
        "SELECT kind, agent_id, contact_id, called_number, state, expires_at FROM call_attempts"
        " WHERE id = %s",
        (dialed.attempt_id,),
    ).fetchone()
    assert row == ("manual", agent_id, None, DESK, "queued", T0 + timedelta(seconds=15))
    status = agents.status(agent_id)
    assert (status.state, status.attempt_id) == (AgentState.RESERVED, dialed.attempt_id)
    # No contact was made of the number: the dialer never calls a speed-dial entry by itself.
    assert db.execute("SELECT count(*) FROM contacts").fetchone() == (0,)


def test_an_entry_that_is_a_contact_is_dialed_as_that_contact(
    db: Connection, agents: AgentService
) -> None:
    campaign = _running(db)
    [contact] = make_contacts(db, campaign, [DESK], ["Europe/London"])
    agent_id = _ready(agents, db, "ann", campaign)
    _put(db, Scope.AGENT, agent_id, 1, DESK, "a customer")
    _, dialed = SpeedDial(agents.db, agents, ManualDial(agents.db, agents, Sent())).dial(
        agent_id, 1, T0
    )
    row = db.execute(
        "SELECT contact_id FROM call_attempts WHERE id = %s", (dialed.attempt_id,)
    ).fetchone()
    assert row == (contact,)


def test_dialing_an_entry_is_refused_with_the_reason_by_every_rule(
    db: Connection, agents: AgentService
) -> None:
    campaign = _running(db, max_attempts=1)
    agent_id = _ready(agents, db, "ann", campaign)
    for slot, number in enumerate(("+442079460010", "+12135550100", "+442079460030"), 1):
        _put(db, Scope.CAMPAIGN, campaign.id, slot, number, f"entry {slot}")
    db.execute("INSERT INTO dnc_entries (phone_e164, source) VALUES ('+442079460010', 'asked')")
    db.execute(
        "INSERT INTO call_attempts (campaign_id, called_number, caller_id, state, outcome)"
        " VALUES (%s, '+442079460030', '+15550000000', 'ended', 'no_answer')",
        (campaign.id,),
    )
    sent = Sent()
    service = SpeedDial(agents.db, agents, ManualDial(agents.db, agents, sent))

    assert "do-not-call" in _refusal(service, agent_id, 1)
    assert "calling hours" in _refusal(service, agent_id, 2)  # 07:00 in Los Angeles at T0
    assert "maximum number of attempts" in _refusal(service, agent_id, 3)
    with pytest.raises(NotFound):
        service.dial(agent_id, 9, T0)
    assert sent.dials == []
    assert agents.status(agent_id).state is AgentState.READY
    agents.pause(agent_id, "break", T0)
    assert "go ready first" in _refusal(service, agent_id, 1)


def test_agents_keep_their_own_entries_and_managers_the_campaigns_through_the_api(
    dashboard_app: Flask,
    db: Connection,
    make_agent: Callable[..., Agent],
    agents: AgentService,
    supervisor: DashboardClient,
) -> None:
    sent = Sent()
    dashboard_app.extensions["dialer.dial_sender"] = sent
    campaign = _running(db, "Api", timezone="Europe/London")
    alice = make_agent("alice", (campaign.id,))
    client = dashboard_app.test_client()
    assert isinstance(client, DashboardClient)
    assert client.login(user_store.get_user(db, alice.user_id).username).status_code == 302
    client.send_json("POST", "/api/v1/agent/login", {"campaign_ids": [campaign.id]})
    client.send_json("POST", "/api/v1/agent/ready", {})
    shared = f"/api/v1/campaigns/{campaign.id}/speed-dial"

    desk = {"number": "+1 202 555 0100", "label": "Desk"}
    assert client.send_json("PUT", f"{shared}/2", desk).status_code == 403
    assert supervisor.send_json("PUT", f"{shared}/2", desk).status_code == 204
    bad = supervisor.send_json("PUT", f"{shared}/0", {"number": "12", "label": ""})
    assert bad.status_code == 400 and bad.json is not None and len(bad.json["problems"]) == 3
    own = client.send_json("PUT", "/api/v1/agent/speed-dial/3", {"number": DESK, "label": "Me"})
    assert own.status_code == 204

    listed = client.get("/api/v1/agent/speed-dial").json
    assert listed == [
        {"slot": 2, "number": "+12025550100", "label": "Desk", "scope": "campaign",
         "owner_id": campaign.id},
        {"slot": 3, "number": DESK, "label": "Me", "scope": "agent", "owner_id": alice.id},
    ]  # fmt: skip
    assert supervisor.get(shared).json == listed[:1]
    db.execute("INSERT INTO dnc_entries (phone_e164, source) VALUES (%s, 'asked')", (DESK,))
    refused = client.send_json("POST", "/api/v1/agent/speed-dial/3/call")
    assert refused.status_code == 409
    assert refused.json is not None and "do-not-call" in refused.json["message"]
    assert client.send_json("POST", "/api/v1/agent/speed-dial/7/call").status_code == 404
    assert client.send_json("DELETE", "/api/v1/agent/speed-dial/3").status_code == 204
    assert sent.dials == []
