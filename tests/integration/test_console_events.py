"""Server-sent events from the real Redis stream, through the real app: each user sees what they
may, a reconnect reads on from Last-Event-ID, a quiet stream sends keep-alives."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterator
from datetime import UTC, datetime

import pytest
from flask import Flask

from campaigns.agents import Agent
from campaigns.storage import user_store
from campaigns.storage.db import Connection
from campaigns.users import Role, User
from dialer import live_events
from dialer.bootstrap import redis_client
from dialer.live_events import CallAnswered, CallConnected, CallEnded
from tests.dashboard_fixtures import DashboardClient

AT = datetime(2026, 11, 26, 15, 0, tzinfo=UTC)


@pytest.fixture
def quick_streams(dashboard_app: Flask) -> Flask:
    """Short blocking reads and streams that end after a second, so a test reads a whole one."""
    dashboard_app.config.update(DIALER_SSE_BLOCK_MS=100, DIALER_SSE_MAX_AGE_S=1.0)
    return dashboard_app


@pytest.fixture
def sign_in(quick_streams: Flask, db: Connection) -> Callable[[int], DashboardClient]:
    def sign_in(user_id: int) -> DashboardClient:
        client = quick_streams.test_client()
        assert isinstance(client, DashboardClient)
        assert client.login(user_store.get_user(db, user_id).username).status_code == 302
        return client

    return sign_in


def parse(text: str) -> list[tuple[str, str, dict[str, object]]]:
    """(id, event, data) of each message; comments and the retry line are skipped."""
    found = []
    for block in text.split("\n\n"):
        fields = dict(
            line.split(": ", 1) for line in block.splitlines() if line and not line.startswith(":")
        )
        if "data" in fields:
            found.append((fields["id"], fields["event"], json.loads(fields["data"])))
    return found


def agent_state(agent: Agent, campaign_id: int, state: str) -> live_events.AgentStateChanged:
    return live_events.AgentStateChanged(
        agent_id=agent.id,
        username=agent.username,
        state=state,
        previous="paused",
        since=AT,
        seq=1,
        campaign_id=campaign_id,
        campaigns=(campaign_id,),
    )


@pytest.fixture
def floor(
    redis_url: str, make_agent: Callable[..., Agent]
) -> Iterator[tuple[Agent, Agent, list[str]]]:
    """Alice on campaign 1, Bob on campaign 2, and a few events of each in the stream."""
    alice, bob = make_agent("alice"), make_agent("bob")
    client = redis_client(redis_url)
    ids = [
        live_events.publish(client, event)
        for event in (
            agent_state(alice, 1, "ready"),
            agent_state(bob, 2, "ready"),
            CallAnswered(attempt_id=10, campaign_id=1, at=AT),
            CallConnected(attempt_id=10, campaign_id=1, agent_id=alice.id, at=AT),
            CallAnswered(attempt_id=11, campaign_id=2, at=AT),
            CallConnected(attempt_id=11, campaign_id=2, agent_id=bob.id, at=AT),
            CallEnded(attempt_id=10, campaign_id=1, outcome="connected", at=AT, agent_id=alice.id),
        )
    ]
    yield alice, bob, ids


def test_an_agent_receives_only_their_own_state_and_calls(
    sign_in: Callable[[int], DashboardClient], floor: tuple[Agent, Agent, list[str]]
) -> None:
    alice, _, ids = floor
    response = sign_in(alice.user_id).get("/api/v1/events", headers={"Last-Event-ID": "0"})
    assert response.status_code == 200
    assert response.mimetype == "text/event-stream"
    seen = parse(response.get_data(as_text=True))
    assert [(event, data.get("attempt_id")) for _, event, data in seen] == [
        ("agent_state", None),
        ("call_connected", 10),
        ("call_ended", 10),
    ]
    assert all(data["agent_id"] == alice.id for _, _, data in seen)
    assert [i for i, _, _ in seen] == [ids[0], ids[3], ids[6]]


def test_supervisors_see_every_event_or_one_campaigns(
    sign_in: Callable[[int], DashboardClient],
    floor: tuple[Agent, Agent, list[str]],
    make_user: Callable[..., User],
) -> None:
    _, bob, ids = floor
    boss = sign_in(make_user(Role.SUPERVISOR, "boss").id)
    everything = parse(boss.get("/api/v1/events?last_event_id=0").get_data(as_text=True))
    assert [i for i, _, _ in everything] == ids
    second = parse(boss.get("/api/v1/events?last_event_id=0&campaign_id=2").get_data(as_text=True))
    assert [(event, data.get("agent_id")) for _, event, data in second] == [
        ("agent_state", bob.id),
        ("call_answered", None),
        ("call_connected", bob.id),
    ]


def test_a_reconnect_reads_on_after_the_last_event_it_saw(
    sign_in: Callable[[int], DashboardClient],
    floor: tuple[Agent, Agent, list[str]],
    make_user: Callable[..., User],
) -> None:
    _, _, ids = floor
    boss = sign_in(make_user(Role.ADMIN, "root").id)
    rest = parse(boss.get("/api/v1/events", headers={"Last-Event-ID": ids[4]}).get_data(True))
    assert [i for i, _, _ in rest] == ids[5:]
    refused = boss.get("/api/v1/events", headers={"Last-Event-ID": "x; DROP TABLE"})
    assert refused.status_code == 400


def test_a_new_stream_sends_only_new_events_and_keeps_quiet_connections_alive(
    sign_in: Callable[[int], DashboardClient],
    floor: tuple[Agent, Agent, list[str]],
    redis_url: str,
) -> None:
    alice, _, _ = floor
    response = sign_in(alice.user_id).get("/api/v1/events", buffered=False)
    chunks = iter(response.response)
    first = next(chunks)
    assert b"retry: " in first  # the stream is open: publish while it runs
    later = threading.Timer(
        0.3,
        lambda: live_events.publish(redis_client(redis_url), agent_state(alice, 1, "paused")),
    )
    later.start()
    text = (first + b"".join(chunks)).decode()
    later.join()
    response.close()
    assert [data["state"] for _, _, data in parse(text)] == ["paused"]  # not the older "ready"
    assert ": keep-alive" in text


def test_the_event_stream_needs_a_signed_in_user(anonymous: DashboardClient) -> None:
    assert anonymous.get("/api/v1/events").status_code == 401
