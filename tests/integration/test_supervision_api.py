"""The wallboard's listen, whisper and barge, against real PostgreSQL and Redis: who may ask,
which phone the worker is told to ring, and what is refused before reaching the worker. Answers
are checked against the OpenAPI document the app serves."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from campaigns.agents import Agent
from campaigns.campaign import RecordingMode
from campaigns.storage import user_store
from campaigns.storage.db import Connection
from campaigns.users import Role, User
from dialer.agents.service import AgentService
from tests.agent_fixtures import agents
from tests.console_support import connected_call, end_call, floor, queued
from tests.dashboard_fixtures import DashboardClient

__all__ = ["agents"]

SUPERVISE = "/attempts/{attempt_id}/supervise"
SUE = "sip:sue@192.0.2.20:5070"


def test_a_supervisor_listens_whispers_barges_and_leaves_through_their_own_phone(
    db: Connection,
    agents: AgentService,
    make_agent: Callable[..., Agent],
    make_user: Callable[..., User],
    sign_in: Callable[..., DashboardClient],
    redis_url: str,
    check: Any,
) -> None:
    campaign, contact, alice, _ = floor(db, make_agent, RecordingMode.NEVER)
    call = connected_call(db, agents, alice, campaign, contact)
    sue = make_user(Role.SUPERVISOR, "sue")
    user_store.set_phone(db, sue.id, SUE)
    client = sign_in(sue)
    board = client.get(f"/api/v1/campaigns/{campaign.id}/wallboard")
    [row] = check("GET", "/campaigns/{campaign_id}/wallboard", board)["agents"]
    assert row["attempt_id"] == call.attempt_id  # the wallboard's buttons act on it
    url = f"/api/v1/attempts/{call.attempt_id}/supervise"
    for mode in ("listen", "whisper", "barge", "leave"):
        sent = client.send_json("POST", url, {"mode": mode})
        assert sent.status_code == 202, (mode, sent.json)
        check("POST", SUPERVISE, sent)
    commands = queued(redis_url, call.attempt_id)
    assert [c["command"] for c in commands] == ["listen", "whisper", "barge", "supervise_leave"]
    assert [c.get("phone") for c in commands] == [SUE, SUE, SUE, None]
    assert {c["requested_by"] for c in commands} == {f"user {sue.id}"}


def test_agents_may_not_supervise_and_the_phone_is_never_taken_from_the_request(
    db: Connection,
    agents: AgentService,
    make_agent: Callable[..., Agent],
    make_user: Callable[..., User],
    sign_in: Callable[..., DashboardClient],
    redis_url: str,
    check: Any,
) -> None:
    campaign, contact, alice, bob = floor(db, make_agent, RecordingMode.NEVER)
    call = connected_call(db, agents, alice, campaign, contact)
    url = f"/api/v1/attempts/{call.attempt_id}/supervise"
    assert sign_in(bob).send_json("POST", url, {"mode": "listen"}).status_code == 403
    assert sign_in(alice).send_json("POST", url, {"mode": "listen"}).status_code == 403
    # The console's call-action route does not take a supervisor's command either.
    action = f"/api/v1/attempts/{call.attempt_id}/call-action"
    assert sign_in(alice).send_json("POST", action, {"action": "barge"}).status_code == 400
    boss = sign_in(make_user(Role.SUPERVISOR, "boss"))  # no phone set
    no_phone = boss.send_json("POST", url, {"mode": "listen", "phone": "sip:evil@203.0.113.9"})
    assert no_phone.status_code == 409 and "dialer user phone boss" in no_phone.json["message"]
    check("POST", SUPERVISE, no_phone)
    bad = boss.send_json("POST", url, {"mode": "spy"})
    assert bad.status_code == 400
    check("POST", SUPERVISE, bad)
    assert queued(redis_url, call.attempt_id) == []


def test_an_ended_or_unknown_call_cannot_be_supervised(
    db: Connection,
    agents: AgentService,
    make_agent: Callable[..., Agent],
    make_user: Callable[..., User],
    sign_in: Callable[..., DashboardClient],
    redis_url: str,
    check: Any,
) -> None:
    campaign, contact, alice, _ = floor(db, make_agent, RecordingMode.NEVER)
    call = connected_call(db, agents, alice, campaign, contact)
    admin = make_user(Role.ADMIN, "root")
    user_store.set_phone(db, admin.id, SUE)
    end_call(db, agents, call)
    url = f"/api/v1/attempts/{call.attempt_id}/supervise"
    over = sign_in(admin).send_json("POST", url, {"mode": "barge"})
    assert over.status_code == 409 and "already over" in over.json["message"]
    check("POST", SUPERVISE, over)
    missing = sign_in(admin).send_json("POST", "/api/v1/attempts/999999/supervise", {"mode": "x"})
    assert missing.status_code == 404
    assert queued(redis_url, call.attempt_id) == []
