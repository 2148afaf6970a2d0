"""Call waiting through the API on real PostgreSQL and Redis: an agent turns it on, sees the
caller offered to them and declines; the queue call (which polls the offer) reads the decline."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

from flask import Flask

from campaigns.agents import Agent
from campaigns.storage import agent_store
from campaigns.storage.db import Connection
from dialer.agents.call_waiting import OFFER_TIMEOUT, CallWaiting
from dialer.agents.waiting_offers import Answer, WaitingOffers
from tests.dashboard_fixtures import DashboardClient

NOW = datetime.now(UTC)


def test_an_agent_turns_call_waiting_on_and_declines_the_caller_offered(
    dashboard_app: Flask,
    db: Connection,
    make_agent: Callable[..., Agent],
    sign_in: Callable[[Agent], DashboardClient],
) -> None:
    alice = make_agent("alice", ())
    client = sign_in(alice)
    assert client.get("/api/v1/agent/call-waiting").json == {
        "call_waiting": False,
        "offer": None,
        "to_dispose": [],
    }
    turned = client.send_json("PUT", "/api/v1/agent/call-waiting", {"call_waiting": True})
    assert turned.status_code == 200 and turned.json["call_waiting"] is True
    assert agent_store.with_call_waiting(db, [alice.id]) == {alice.id}
    assert client.send_json("POST", "/api/v1/agent/call-waiting/decline", {}).status_code == 409

    offers = WaitingOffers(dashboard_app.extensions["dialer.redis"])
    offer = CallWaiting(alice.id, 42, 7, "Help line", "+12125550123", NOW, NOW + OFFER_TIMEOUT)
    assert offers.place(offer, NOW)
    shown = client.get("/api/v1/agent/call-waiting").json["offer"]
    assert shown["inbound_call_id"] == 7 and shown["caller"] == "+12125550123"
    assert shown["phase"] == "offered" and shown["answer"] is None
    declined = client.send_json("POST", "/api/v1/agent/call-waiting/decline", {})
    assert declined.status_code == 200, declined.json
    assert offers.answer_of(alice.id, 7) is Answer.DECLINE
    again = client.send_json("POST", "/api/v1/agent/call-waiting/decline", {})
    assert again.status_code == 409, "a second click changes nothing"
    offers.clear(alice.id, 7)


def test_a_setting_that_is_not_true_or_false_is_refused(
    make_agent: Callable[..., Agent], sign_in: Callable[[Agent], DashboardClient]
) -> None:
    client = sign_in(make_agent("bob", ()))
    refused = client.send_json("PUT", "/api/v1/agent/call-waiting", {"call_waiting": "on"})
    assert refused.status_code == 400
