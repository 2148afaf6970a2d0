"""Call forwarding settings on real PostgreSQL: an agent sets their own through the API, the
worker's read of it, and a number no campaign of theirs allows refused with the reason."""

from __future__ import annotations

from collections.abc import Callable

from flask import Flask
from psycopg_pool import ConnectionPool

from campaigns.agents import Agent, ForwardMode
from campaigns.call_forwarding import ForwardTarget
from campaigns.storage import agent_store, user_store
from campaigns.storage.db import Connection
from dialer.agent_forwarding import forwarding_for
from tests.dashboard_fixtures import DashboardClient
from tests.factories import make_campaign


def _signed_in(app: Flask, db: Connection, agent: Agent) -> DashboardClient:
    client = app.test_client()
    assert isinstance(client, DashboardClient)
    assert client.login(user_store.get_user(db, agent.user_id).username).status_code == 302
    return client


def test_an_agent_forwards_their_calls_and_the_worker_reads_it_per_campaign(
    dashboard_app: Flask,
    db: Connection,
    make_agent: Callable[..., Agent],
    database_url: str,
) -> None:
    open_list = make_campaign(db, "Open", transfer_destinations=("+1202555XXXX",))
    closed = make_campaign(db, "Closed")
    alice = make_agent("alice", (open_list.id, closed.id))
    client = _signed_in(dashboard_app, db, alice)

    assert client.get("/api/v1/agent/forwarding").json == {
        "forward_mode": "off",
        "forward_to": None,
    }
    saved = client.send_json(
        "PUT",
        "/api/v1/agent/forwarding",
        {"forward_mode": "no_answer", "forward_to": "+12025550199"},
    )
    assert saved.status_code == 200, saved.json
    assert saved.json == {"forward_mode": "no_answer", "forward_to": "+12025550199"}
    assert agent_store.forwarding(db, alice.id) == (ForwardMode.NO_ANSWER, "+12025550199")

    with ConnectionPool(database_url, min_size=1) as pool:
        # The allowing campaign forwards; the other offers the call to Alice's own phone.
        assert forwarding_for(pool, alice.id, 1, open_list.spec.transfer_destinations) == (
            ForwardTarget(ForwardMode.NO_ANSWER, number="+12025550199")
        )
        assert forwarding_for(pool, alice.id, 2, closed.spec.transfer_destinations) is None


def test_a_number_no_campaign_of_the_agent_allows_is_refused_with_the_reason(
    dashboard_app: Flask, db: Connection, make_agent: Callable[..., Agent]
) -> None:
    campaign = make_campaign(db, "Tight", transfer_destinations=("+1415555XXXX",))
    bob = make_agent("bob", (campaign.id,))
    client = _signed_in(dashboard_app, db, bob)

    refused = client.send_json(
        "PUT", "/api/v1/agent/forwarding", {"forward_mode": "always", "forward_to": "+12025550199"}
    )
    assert refused.status_code == 400
    assert refused.json is not None
    assert "on no transfer allow list of your campaigns (Tight)" in refused.json["problems"][0]
    bad = client.send_json("PUT", "/api/v1/agent/forwarding", {"forward_mode": "always"})
    assert bad.status_code == 400
    desk = client.send_json(
        "PUT",
        "/api/v1/agent/forwarding",
        {"forward_mode": "busy", "forward_to": "sip:desk@10.0.0.9"},
    )
    assert desk.status_code == 200
    off = client.send_json("PUT", "/api/v1/agent/forwarding", {"forward_mode": "off"})
    assert off.json == {"forward_mode": "off", "forward_to": None}
    assert agent_store.forwarding(db, bob.id) == (ForwardMode.OFF, None)
