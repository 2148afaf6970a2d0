"""/api/v1/agent/...: an agent's live session on the dialer (the console's buttons, the robots'
softphones): status, log in to campaigns, ready, pause with a reason, log out.

Agents act on themselves; admins and supervisors name the agent with `agent_id` (query string
for the status, body for the actions). Illegal moves (ready while on a call, ...) are Conflicts
and answer 409 with the reason; a pause or log-out asked for during a call is noted and applied
when the call is over (`after_call` in the status).
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, jsonify, request
from flask.typing import ResponseReturnValue

from campaigns.agents import Agent
from campaigns.errors import ValidationError
from campaigns.storage import campaign_store, screen_pop_query
from dashboard.access import login_required
from dashboard.api_schemas import json_object
from dashboard.console_schemas import live_status_json
from dashboard.db import get_db
from dashboard.live_agents import acting_agent, agent_service, now, ready_service
from dashboard.openapi import Param, documented
from dashboard.routes.api.preview import preview_service
from dialer.agents.model import LiveStatus

blueprint = Blueprint("api_agent_session", __name__, url_prefix="/api/v1/agent")

_AGENT_PARAM = Param(
    "agent_id", "Managers: the agent (agents: always themselves).", {"type": "integer"}
)
_STATE_CONFLICT = {409: "Not allowed in the agent's current state (the message says why)"}


def _body() -> dict[str, Any]:
    """The JSON body; an empty body is an empty object (ready and logout need nothing)."""
    if not request.get_data():
        return {}
    return json_object()


def status_answer(agent: Agent, status: LiveStatus) -> ResponseReturnValue:
    conn = get_db()
    names = {c.id: c.name for c in campaign_store.list_campaigns(conn)}
    call = (
        screen_pop_query.call_summary(conn, status.attempt_id)
        if status.attempt_id is not None
        else None
    )
    return jsonify(live_status_json(agent, status, now(), names, call))


@blueprint.get("/status")
@login_required
@documented(
    "The agent's live state",
    query=[_AGENT_PARAM],
    response="AgentLiveStatus",
    description="From the live state in Redis: state, time in state, pause reason, the call "
    "held, the campaigns worked and those the agent may work.",
)
def status() -> ResponseReturnValue:
    agent = acting_agent(request.args)
    return status_answer(agent, agent_service().status(agent.id))


@blueprint.post("/login")
@login_required
@documented(
    "Log in to the dialer",
    body="AgentLoginInput",
    response="AgentLiveStatus",
    description="The agent starts paused (reason `login`) and takes calls after `ready`.",
)
def login() -> ResponseReturnValue:
    body = _body()
    agent = acting_agent(body)
    ids = body.get("campaign_ids")
    if ids is not None and (
        not isinstance(ids, list)
        or not all(isinstance(i, int) and not isinstance(i, bool) for i in ids)
    ):
        raise ValidationError(["campaign_ids: a list of campaign ids"])
    return status_answer(agent, ready_service().login(agent.id, now(), ids))


@blueprint.post("/ready")
@login_required
@documented(
    "Ready for calls",
    body="AgentActionInput",
    response="AgentLiveStatus",
    errors=_STATE_CONFLICT,
)
def ready() -> ResponseReturnValue:
    agent = acting_agent(_body())
    return status_answer(agent, ready_service().ready(agent.id, now()))


@blueprint.post("/pause")
@login_required
@documented(
    "Pause with a reason",
    body="AgentPauseInput",
    response="AgentLiveStatus",
    description="During a call the pause is noted and starts when the call is over.",
)
def pause() -> ResponseReturnValue:
    body = _body()
    agent = acting_agent(body)
    reason = body.get("reason")
    if not isinstance(reason, str) or not reason:
        raise ValidationError(["reason: a pause code"])
    service = ready_service()
    service.pause(agent.id, reason, now())  # noted while a preview holds the agent, then:
    preview_service().release(agent.id, now())  # a previewed contact goes back at once
    return status_answer(agent, service.status(agent.id))


@blueprint.post("/logout")
@login_required
@documented(
    "Log out of the dialer",
    body="AgentActionInput",
    response="AgentLiveStatus",
    description="During a call the log-out is noted and happens when the call is over.",
    errors=_STATE_CONFLICT,
)
def logout() -> ResponseReturnValue:
    agent = acting_agent(_body())
    service = ready_service()
    service.logout(agent.id, now())
    preview_service().release(agent.id, now())
    return status_answer(agent, service.status(agent.id))
