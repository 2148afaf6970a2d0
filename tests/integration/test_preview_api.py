"""The preview card's API through the real app, PostgreSQL and Redis: show, skip, dial, and the
reason given when a rule forbids the dial. Answers are checked against the OpenAPI document."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import pytest
from flask import Flask

from campaigns.agents import Agent
from campaigns.campaign import Campaign, CampaignState, DialMode
from campaigns.storage import campaign_store, user_store
from campaigns.storage.db import Connection
from dialer.agents.service import AgentService
from tests.agent_fixtures import agents
from tests.dashboard_fixtures import DashboardClient
from tests.factories import make_campaign, make_contacts

__all__ = ["agents"]


def zone_where_it_is_midday(at: datetime) -> str:
    """An Etc/GMT zone in which `at` falls at about noon (inside every calling window)."""
    offset = (12 - at.hour + 12) % 24 - 12
    return "Etc/GMT" + (f"{-offset:+d}" if offset else "")


class Recorded:
    def __init__(self) -> None:
        self.dials: list[int] = []

    def dial(self, attempt_id: int, expires_s: float) -> None:
        self.dials.append(attempt_id)


@pytest.fixture
def sent(dashboard_app: Flask) -> Recorded:
    # The broker's side is the sip tier's to prove (a real worker takes the task there).
    recorded = Recorded()
    dashboard_app.extensions["dialer.dial_sender"] = recorded
    return recorded


@pytest.fixture
def campaign(db: Connection) -> Campaign:
    made = make_campaign(
        db, "Renewals", trunk_uri="sip:{number}@127.0.0.1:5999", dial_mode=DialMode.PREVIEW
    )
    return campaign_store.set_campaign_state(db, made.id, CampaignState.RUNNING)


@pytest.fixture
def client(
    dashboard_app: Flask,
    db: Connection,
    make_agent: Callable[..., Agent],
    campaign: Campaign,
    agents: AgentService,
) -> DashboardClient:
    agent = make_agent("alice", (campaign.id,))
    client = dashboard_app.test_client()
    assert isinstance(client, DashboardClient)
    assert client.login(user_store.get_user(db, agent.user_id).username).status_code == 302
    client.send_json("POST", "/api/v1/agent/login", {"campaign_ids": [campaign.id]})
    client.send_json("POST", "/api/v1/agent/ready", {})
    return client


def test_the_card_shows_the_contact_skip_shows_the_next_and_dial_queues_it(
    db: Connection, campaign: Campaign, client: DashboardClient, sent: Recorded, check: Any
) -> None:
    zone = zone_where_it_is_midday(datetime.now(UTC))
    make_contacts(db, campaign, ["+12025550101", "+12025550102"], time_zones=[zone])

    card = check("GET", "/agent/preview", client.get("/api/v1/agent/preview"))
    assert card["screen_pop"]["contact"]["phone_e164"] == "+12025550101"
    assert client.get("/api/v1/agent/status").json["state"] == "reserved"

    card = check(
        "POST",
        "/agent/preview/skip",
        client.send_json("POST", "/api/v1/agent/preview/skip", {"reason": "asked for email"}),
    )
    assert card["screen_pop"]["contact"]["phone_e164"] == "+12025550102"

    dialed = check(
        "POST", "/agent/preview/dial", client.send_json("POST", "/api/v1/agent/preview/dial")
    )
    assert sent.dials == [dialed["attempt_id"]] == [card["attempt_id"]]


def test_a_refused_dial_says_why_and_pausing_gives_the_contact_back(
    db: Connection, campaign: Campaign, client: DashboardClient, sent: Recorded, check: Any
) -> None:
    zone = zone_where_it_is_midday(datetime.now(UTC))
    [first, second] = make_contacts(
        db, campaign, ["+12025550201", "+12025550202"], time_zones=[zone]
    )
    assert client.get("/api/v1/agent/preview").json["attempt_id"] is not None
    db.execute("INSERT INTO dnc_entries (phone_e164, source) VALUES ('+12025550201', 'registry')")
    db.commit()

    refused = check(
        "POST", "/agent/preview/dial", client.send_json("POST", "/api/v1/agent/preview/dial")
    )
    assert "do-not-call" in str(refused)
    assert sent.dials == []

    card = client.get("/api/v1/agent/preview").json
    assert card["screen_pop"]["contact"]["id"] == second
    status = client.send_json("POST", "/api/v1/agent/pause", {"reason": "lunch"}).json
    assert (status["state"], status["reason"]) == ("paused", "lunch")
    assert db.execute("SELECT state FROM contacts WHERE id = %s", (second,)).fetchone() == (
        "dialable",
    )
    assert client.get("/api/v1/agent/preview").json == {"attempt_id": None, "screen_pop": None}
    assert first


def test_dial_on_a_card_held_past_the_limit_says_it_expired_and_pauses_the_agent(
    db: Connection, campaign: Campaign, client: DashboardClient, sent: Recorded, check: Any
) -> None:
    zone = zone_where_it_is_midday(datetime.now(UTC))
    [contact] = make_contacts(db, campaign, ["+12025550301"], time_zones=[zone])
    card = client.get("/api/v1/agent/preview").json
    assert card["attempt_id"] is not None
    # The agent looked at the card for longer than the campaign's 300 s.
    db.execute(
        "UPDATE call_attempts SET queued_at = queued_at - interval '301 seconds' WHERE id = %s",
        (card["attempt_id"],),
    )

    refused = client.send_json("POST", "/api/v1/agent/preview/dial")
    check("POST", "/agent/preview/dial", refused)

    assert refused.status_code == 409
    assert "preview expired: not dialed or skipped within 300 s" in str(refused.json)
    assert sent.dials == []
    assert db.execute(
        "SELECT state, attempts FROM contacts WHERE id = %s", (contact,)
    ).fetchone() == (
        "dialable",
        0,
    )
    status = client.get("/api/v1/agent/status").json
    assert (status["state"], status["reason"]) == ("paused", "preview_expired")
    # Paused: no new card until the agent goes ready again.
    assert client.get("/api/v1/agent/preview").json == {"attempt_id": None, "screen_pop": None}
    again = client.send_json("POST", "/api/v1/agent/preview/dial")
    assert again.status_code == 409 and "expired" in str(again.json)


def test_signing_out_of_the_dashboard_gives_the_previewed_contact_back(
    db: Connection, campaign: Campaign, client: DashboardClient, agents: AgentService
) -> None:
    zone = zone_where_it_is_midday(datetime.now(UTC))
    [contact] = make_contacts(db, campaign, ["+12025550401"], time_zones=[zone])
    card = client.get("/api/v1/agent/preview").json
    found = db.execute("SELECT agent_id FROM call_attempts WHERE id = %s", (card["attempt_id"],))
    [agent_id] = found.fetchone() or [None]

    assert client.post_form("/logout").status_code == 302

    assert db.execute(
        "SELECT state, outcome, sip_reason FROM call_attempts WHERE id = %s",
        (card["attempt_id"],),
    ).fetchone() == ("ended", "cancelled", "released: the agent signed out")
    assert db.execute("SELECT state FROM contacts WHERE id = %s", (contact,)).fetchone() == (
        "dialable",
    )
    status = agents.status(agent_id)
    assert (status.state.value, status.reason) == ("paused", "preview_expired")
