"""The agent console's API against real PostgreSQL and Redis: the agent's session, dispositions
with their effects and errors, the screen pop, hang-up commands. Every answer is checked against
the OpenAPI document the app serves."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from campaigns.agents import Agent, AgentState
from campaigns.attempt import Outcome
from campaigns.campaign import Campaign
from campaigns.storage import attempt_store, user_store
from campaigns.storage.attempt_store import AttemptResult
from campaigns.storage.db import Connection
from campaigns.users import Role, User
from dialer import call_commands
from dialer.agents.service import AgentService
from dialer.bootstrap import redis_client
from tests.agent_fixtures import agents
from tests.console_support import PHONE, connected_call, end_call, recent, row, talked_call
from tests.dashboard_fixtures import DashboardClient
from tests.integration.console_fixtures import alice, bob, campaign, contact

__all__ = ["agents", "alice", "bob", "campaign", "contact"]

NEW_YORK = ZoneInfo("America/New_York")


def test_an_agent_logs_in_goes_ready_pauses_and_logs_out(
    sign_in: Callable[..., DashboardClient], alice: Agent, campaign: Campaign, check: Any
) -> None:
    client = sign_in(alice)
    status = check("GET", "/agent/status", client.get("/api/v1/agent/status"))
    assert status["state"] == "logged_out"
    assert status["allowed_campaigns"] == [{"id": campaign.id, "name": campaign.spec.name}]

    status = check(
        "POST",
        "/agent/login",
        client.send_json("POST", "/api/v1/agent/login", {"campaign_ids": [campaign.id]}),
    )
    assert (status["state"], status["reason"], status["campaigns"]) == (
        "paused",
        "login",
        [campaign.id],
    )
    status = check("POST", "/agent/ready", client.send_json("POST", "/api/v1/agent/ready", {}))
    assert status["state"] == "ready" and status["seconds_in_state"] >= 0
    status = check(
        "POST", "/agent/pause", client.send_json("POST", "/api/v1/agent/pause", {"reason": "lunch"})
    )
    assert (status["state"], status["reason"]) == ("paused", "lunch")
    status = check("POST", "/agent/logout", client.send_json("POST", "/api/v1/agent/logout"))
    assert status["state"] == "logged_out"


def test_state_changes_that_break_the_rules_answer_409_or_400(
    sign_in: Callable[..., DashboardClient],
    alice: Agent,
    campaign: Campaign,
    check: Any,
    make_agent: Callable[..., Agent],
) -> None:
    client = sign_in(alice)
    refused = client.send_json("POST", "/api/v1/agent/ready", {})
    assert check("POST", "/agent/ready", refused)["error"] == "conflict"  # not logged in
    client.send_json("POST", "/api/v1/agent/login", {})
    wrong_reason = client.send_json("POST", "/api/v1/agent/pause", {"reason": "nap"})
    assert wrong_reason.status_code == 400
    assert "'nap' is not a pause code" in wrong_reason.json["problems"][0]
    other = make_agent("carol", ())
    foreign = client.send_json("POST", "/api/v1/agent/login", {"campaign_ids": [campaign.id + 9]})
    assert foreign.status_code == 400
    assert other.id != alice.id


def test_during_a_call_a_pause_waits_for_the_call_to_end_and_ready_withdraws_it(
    db: Connection,
    agents: AgentService,
    sign_in: Callable[..., DashboardClient],
    alice: Agent,
    campaign: Campaign,
    contact: int,
    check: Any,
) -> None:
    call = connected_call(db, agents, alice, campaign, contact)
    client = sign_in(alice)
    status = check("GET", "/agent/status", client.get("/api/v1/agent/status"))
    assert (status["state"], status["attempt_id"]) == ("on_call", call.attempt_id)
    assert status["call"]["contact_name"] == "Grace Hopper"
    paused = client.send_json("POST", "/api/v1/agent/pause", {"reason": "break"}).json
    assert paused["state"] == "on_call"
    assert paused["after_call"] == {"state": "paused", "reason": "break"}
    ready = client.send_json("POST", "/api/v1/agent/ready", {}).json
    assert (ready["state"], ready["after_call"]) == ("on_call", None)


def test_agents_cannot_act_for_other_agents_but_supervisors_can(
    agents: AgentService,
    sign_in: Callable[..., DashboardClient],
    alice: Agent,
    bob: Agent,
    make_user: Callable[..., User],
    check: Any,
) -> None:
    client = sign_in(alice)
    assert client.get(f"/api/v1/agent/status?agent_id={bob.id}").status_code == 403
    body = {"agent_id": bob.id}
    assert client.send_json("POST", "/api/v1/agent/login", body).status_code == 403
    assert agents.status(bob.id).state is AgentState.LOGGED_OUT

    boss = sign_in(make_user(Role.SUPERVISOR, "boss"))
    assert check("POST", "/agent/login", boss.send_json("POST", "/api/v1/agent/login", body))
    paused = boss.send_json("POST", "/api/v1/agent/pause", {**body, "reason": "training"}).json
    assert (paused["agent"]["username"], paused["reason"]) == ("bob", "training")
    assert boss.get("/api/v1/agent/status").status_code == 400  # whose status? name the agent
    assert boss.get(f"/api/v1/agent/status?agent_id={bob.id}").json["state"] == "paused"


def test_a_sale_closes_the_contact_and_the_agent_goes_ready(
    db: Connection,
    agents: AgentService,
    sign_in: Callable[..., DashboardClient],
    alice: Agent,
    campaign: Campaign,
    contact: int,
    check: Any,
) -> None:
    call = talked_call(db, agents, alice, campaign, contact)
    client = sign_in(alice)
    assert client.get("/api/v1/agent/status").json["state"] == "wrap_up"
    url = f"/api/v1/attempts/{call.attempt_id}/disposition"
    done = check(
        "POST",
        "/attempts/{attempt_id}/disposition",
        client.send_json("POST", url, {"code": "sale", "notes": "two boxes"}),
    )
    assert (done["action"], done["agent_state"], done["added_to_dnc"]) == (
        "complete",
        "ready",
        False,
    )
    assert done["contact"]["state"] == "done"
    assert row(
        db, "SELECT disposition, notes FROM call_attempts WHERE id = %s", call.attempt_id
    ) == (
        "sale",
        "two boxes",
    )
    again = client.send_json("POST", url, {"code": "not_interested"})
    assert check("POST", "/attempts/{attempt_id}/disposition", again)["error"] == "conflict"
    assert again.status_code == 409


def test_do_not_call_puts_the_number_on_the_campaigns_list_and_pauses_when_asked(
    db: Connection,
    agents: AgentService,
    sign_in: Callable[..., DashboardClient],
    alice: Agent,
    campaign: Campaign,
    contact: int,
) -> None:
    call = talked_call(db, agents, alice, campaign, contact)
    done = sign_in(alice).send_json(
        "POST",
        f"/api/v1/attempts/{call.attempt_id}/disposition",
        {"code": "do_not_call", "pause_reason": "break"},
    )
    assert done.status_code == 200, done.json
    assert (done.json["added_to_dnc"], done.json["agent_state"], done.json["agent_reason"]) == (
        True,
        "paused",
        "break",
    )
    assert row(db, "SELECT campaign_id, source FROM dnc_entries WHERE phone_e164 = %s", PHONE) == (
        campaign.id,
        "agent disposition",
    )
    assert row(db, "SELECT state FROM contacts WHERE id = %s", contact) == ("dnc",)


def _tomorrow_in_new_york(hour: int) -> datetime:
    tomorrow = datetime.now(NEW_YORK).date() + timedelta(days=1)
    return datetime(tomorrow.year, tomorrow.month, tomorrow.day, hour, tzinfo=NEW_YORK)


def test_a_callback_outside_the_calling_window_answers_400_with_the_earliest_allowed_time(
    db: Connection,
    agents: AgentService,
    sign_in: Callable[..., DashboardClient],
    alice: Agent,
    campaign: Campaign,
    contact: int,
    check: Any,
) -> None:
    call = talked_call(db, agents, alice, campaign, contact)
    client = sign_in(alice)
    url = f"/api/v1/attempts/{call.attempt_id}/disposition"
    too_early = _tomorrow_in_new_york(3)  # US calling hours: 08:00-21:00 local
    body = {"code": "callback", "callback_at": too_early.isoformat(), "callback_for_me": True}
    refused = client.send_json("POST", url, body)
    answer = check("POST", "/attempts/{attempt_id}/disposition", refused)
    assert refused.status_code == 400
    assert answer["error"] == "callback_outside_window"
    earliest = _tomorrow_in_new_york(8)
    assert datetime.fromisoformat(answer["earliest"]) == earliest
    [zone] = answer["zones"]
    assert (zone["zone"], zone["window"]) == ("America/New_York", ["08:00", "21:00"])
    assert "outside the calling hours" in answer["message"]
    assert agents.status(alice.id).state is AgentState.WRAP_UP  # nothing recorded yet

    moved = client.send_json("POST", url, {**body, "move_callback_into_window": True})
    result = check("POST", "/attempts/{attempt_id}/disposition", moved)
    assert datetime.fromisoformat(result["contact"]["next_eligible_at"]) == earliest
    assert datetime.fromisoformat(result["contact"]["moved_from"]) == too_early
    assert result["contact"]["callback_agent_id"] == alice.id
    assert row(db, "SELECT state, callback_agent_id FROM contacts WHERE id = %s", contact) == (
        "callback",
        alice.id,
    )


def test_disposition_errors_are_mapped_to_http(
    db: Connection,
    agents: AgentService,
    sign_in: Callable[..., DashboardClient],
    alice: Agent,
    bob: Agent,
    campaign: Campaign,
    contact: int,
    check: Any,
) -> None:
    call = connected_call(db, agents, alice, campaign, contact)
    end_call(db, agents, call, close=False)  # the worker has not stored the outcome yet
    client = sign_in(alice)
    url = f"/api/v1/attempts/{call.attempt_id}/disposition"
    early = client.send_json("POST", url, {"code": "sale"})
    answer = check("POST", "/attempts/{attempt_id}/disposition", early)
    assert (early.status_code, answer["error"], answer["retry"]) == (
        409,
        "attempt_still_open",
        True,
    )
    assert early.headers["Retry-After"] == "1"
    attempt_store.finish_attempt(
        db, call.attempt_id, AttemptResult(Outcome.CONNECTED, agent_id=alice.id), recent(0)
    )

    unknown = client.send_json("POST", url, {"code": "sold"})
    assert unknown.status_code == 400
    assert "'sold' is not a disposition" in unknown.json["problems"][0]
    assert client.send_json("POST", url, {}).status_code == 400  # no code
    bad_time = client.send_json("POST", url, {"code": "callback", "callback_at": "tomorrow"})
    assert bad_time.json["problems"] == ["callback_at: an ISO 8601 date-time with a zone"]

    not_hers = sign_in(bob).send_json("POST", url, {"code": "sale"})
    assert not_hers.status_code == 404
    assert sign_in(bob).get(f"/api/v1/attempts/{call.attempt_id}/screen-pop").status_code == 404
    assert (
        client.send_json(
            "POST", "/api/v1/attempts/999999/disposition", {"code": "sale"}
        ).status_code
        == 404
    )


def test_a_robot_with_a_bearer_token_dispositions_its_call(
    db: Connection,
    agents: AgentService,
    anonymous: DashboardClient,
    api_token: Callable[[User], str],
    alice: Agent,
    campaign: Campaign,
    contact: int,
) -> None:
    call = talked_call(db, agents, alice, campaign, contact)
    token = api_token(user_store.get_user(db, alice.user_id))
    done = anonymous.post(
        f"/api/v1/attempts/{call.attempt_id}/disposition",
        json={"code": "not_interested"},
        headers={"Authorization": f"Bearer {token}"},
    )
    assert done.status_code == 200 and done.json["agent_state"] == "ready"


def test_a_supervisor_dispositions_a_call_for_the_agent_who_took_it(
    db: Connection,
    agents: AgentService,
    sign_in: Callable[..., DashboardClient],
    alice: Agent,
    campaign: Campaign,
    contact: int,
    make_user: Callable[..., User],
) -> None:
    call = talked_call(db, agents, alice, campaign, contact)
    boss = sign_in(make_user(Role.SUPERVISOR, "boss"))
    url = f"/api/v1/attempts/{call.attempt_id}/disposition"
    done = boss.send_json("POST", url, {"code": "wrong_number"})
    assert done.status_code == 200, done.json
    assert agents.status(alice.id).state is AgentState.READY


def test_the_screen_pop_shows_the_contact_and_earlier_calls_with_dispositions(
    db: Connection,
    agents: AgentService,
    sign_in: Callable[..., DashboardClient],
    alice: Agent,
    campaign: Campaign,
    contact: int,
    check: Any,
) -> None:
    first = talked_call(db, agents, alice, campaign, contact)
    client = sign_in(alice)
    client.send_json(
        "POST",
        f"/api/v1/attempts/{first.attempt_id}/disposition",
        {"code": "answering_machine", "notes": "voicemail, try evenings"},
    )
    second = connected_call(db, agents, alice, campaign, contact, log_in=False)
    pop = check(
        "GET",
        "/attempts/{attempt_id}/screen-pop",
        client.get(f"/api/v1/attempts/{second.attempt_id}/screen-pop"),
    )
    assert pop["contact"]["first_name"] == "Grace" and pop["contact"]["last_name"] == "Hopper"
    assert pop["contact"]["custom_fields"] == {"plan": "gold", "renewal": "2027-01"}
    assert pop["contact"]["list_name"] == "test"
    assert pop["attempt"]["id"] == second.attempt_id
    [earlier] = pop["previous"]
    assert (earlier["id"], earlier["disposition"], earlier["disposition_label"]) == (
        first.attempt_id,
        "answering_machine",
        "Answering machine",
    )
    assert earlier["notes"] == "voicemail, try evenings"
    assert earlier["agent_name"] == "Alice"
    assert "sale" in {d["code"] for d in pop["dispositions"]}
    assert pop["campaign"] == {"id": campaign.id, "name": campaign.spec.name, "recording": "never"}


def test_hang_up_sends_a_command_to_the_worker_holding_the_call(
    db: Connection,
    agents: AgentService,
    sign_in: Callable[..., DashboardClient],
    alice: Agent,
    bob: Agent,
    campaign: Campaign,
    contact: int,
    redis_url: str,
    check: Any,
) -> None:
    call = connected_call(db, agents, alice, campaign, contact)
    url = f"/api/v1/attempts/{call.attempt_id}/hangup"
    assert sign_in(bob).send_json("POST", url).status_code == 404
    client = sign_in(alice)
    sent = client.send_json("POST", url)
    assert check("POST", "/attempts/{attempt_id}/hangup", sent) == {
        "attempt_id": call.attempt_id,
        "command": "hangup",
    }
    assert sent.status_code == 202
    queued = redis_client(redis_url).lrange(call_commands.command_key(call.attempt_id), 0, -1)
    [command] = [json.loads(text) for text in queued]
    assert command["command"] == "hangup"
    assert command["requested_by"] == f"agent {alice.id}"

    end_call(db, agents, call)
    over = client.send_json("POST", url)
    assert over.status_code == 409
    check("POST", "/attempts/{attempt_id}/hangup", over)


def test_every_console_route_is_in_the_openapi_document(api_document: dict[str, Any]) -> None:
    paths = api_document["paths"]
    for path, method in [
        ("/agent/status", "get"),
        ("/agent/login", "post"),
        ("/agent/ready", "post"),
        ("/agent/pause", "post"),
        ("/agent/logout", "post"),
        ("/attempts/{attempt_id}/disposition", "post"),
        ("/attempts/{attempt_id}/screen-pop", "get"),
        ("/attempts/{attempt_id}/hangup", "post"),
        ("/events", "get"),
    ]:
        assert method in paths[path], (path, method)
    assert "text/event-stream" in paths["/events"]["get"]["responses"]["200"]["content"]
