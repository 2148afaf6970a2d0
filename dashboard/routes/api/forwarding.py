"""/api/v1/agent/forwarding: an agent forwards their offered calls (campaigns.call_forwarding).

Agents set their own (the console's "Call forwarding" card); managers name the agent
(`agent_id`), as admins also can on the agent's settings. A number must be on the transfer allow
list of at least one of the agent's campaigns (else every call would ring their own phone);
each call still checks its own campaign's list when it is offered.
"""

from __future__ import annotations

from dataclasses import replace

from flask import Blueprint, jsonify, request
from flask.typing import ResponseReturnValue

from campaigns.agents import Agent, ForwardMode, validate_agent
from campaigns.call_forwarding import setting_problem
from campaigns.errors import ValidationError
from campaigns.storage import agent_store, campaign_store
from dashboard.access import login_required
from dashboard.api_schemas import json_object
from dashboard.db import get_db
from dashboard.live_agents import acting_agent
from dashboard.openapi import Param, documented

blueprint = Blueprint("api_forwarding", __name__, url_prefix="/api/v1/agent")


def _json(agent: Agent) -> dict[str, object]:
    return {"forward_mode": agent.spec.forward_mode.value, "forward_to": agent.spec.forward_to}


@blueprint.get("/forwarding")
@login_required
@documented(
    "An agent's call forwarding",
    query=[Param("agent_id", "Managers: the agent.", {"type": "integer"})],
    response="AgentForwarding",
)
def show() -> ResponseReturnValue:
    return jsonify(_json(acting_agent(request.args)))


@blueprint.put("/forwarding")
@login_required
@documented(
    "Set an agent's call forwarding",
    body="AgentForwarding",
    response="AgentForwarding",
    description="always, busy (the phone answers busy) or no_answer (it rings 1 s unanswered) "
    "to a sip: URI or an E.164 number on a campaign's transfer allow list; off stops it.",
)
def update() -> ResponseReturnValue:
    body = json_object()
    agent = acting_agent(body)
    try:
        mode = ForwardMode(body.get("forward_mode", "off"))
    except ValueError:
        raise ValidationError(["forward_mode: one of " + ", ".join(ForwardMode)]) from None
    to = body.get("forward_to") or None
    if to is not None and not isinstance(to, str):
        raise ValidationError(["forward_to: a sip: URI or an E.164 number"])
    spec = validate_agent(replace(agent.spec, forward_mode=mode, forward_to=to))
    conn = get_db()
    campaigns = [campaign_store.get_campaign(conn, cid) for cid in agent.spec.campaign_ids]
    allow_lists = {c.name: c.spec.transfer_destinations for c in campaigns}
    problem = setting_problem(spec.forward_mode, spec.forward_to, allow_lists)
    if problem is not None:
        raise ValidationError([problem])
    agent_store.set_forwarding(conn, agent.id, spec.forward_mode, spec.forward_to)
    return jsonify(_json(agent_store.get_agent(conn, agent.id)))
