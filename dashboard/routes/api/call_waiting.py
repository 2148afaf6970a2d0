"""/api/v1/agent/call-waiting: an agent's call waiting (dialer.agents.call_waiting).

The setting (off by default) is the agent's own; managers name the agent (`agent_id`), as
admins also can on the agent's settings. While an offer waits, it is shown here and can be
declined: the caller goes back to the head of the queue. Accepting is answering the second call
on the phone (it rings with the waiting caller), since the phone is where the agent talks. Once
a second call is over it is listed (`to_dispose`) until the agent records its disposition, as
for any inbound call (POST /api/v1/inbound-calls/<id>/disposition): the agent went straight
back to the customer on hold, so there was no wrap-up for it.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from flask import Blueprint, abort, jsonify, request
from flask.typing import ResponseReturnValue

from campaigns.agents import Agent, validate_agent
from campaigns.errors import ValidationError
from campaigns.storage import agent_store, second_call_store
from dashboard.access import login_required
from dashboard.api_schemas import json_object
from dashboard.db import get_db
from dashboard.live_agents import acting_agent, now, redis_client
from dashboard.openapi import Param, documented
from dialer.agents.call_waiting import Phase
from dialer.agents.waiting_offers import Answer, WaitingOffers

blueprint = Blueprint("api_call_waiting", __name__, url_prefix="/api/v1/agent")


def _json(agent: Agent) -> dict[str, Any]:
    offer = WaitingOffers(redis_client()).current(agent.id)
    shown = None
    if offer is not None:
        shown = {
            "inbound_call_id": offer.inbound_call_id,
            "queue": offer.queue_name,
            "caller": offer.caller,
            "phase": offer.phase.value,
            "expires_at": offer.expires_at.isoformat(),
            "answer": offer.answer.value if offer.answer else None,
        }
    to_dispose = [
        {
            "inbound_call_id": call.inbound_call_id,
            "caller": call.caller,
            "queue": call.queue_name,
            "ended_at": call.ended_at.isoformat(),
        }
        for call in second_call_store.to_dispose(get_db(), agent.id, now())
    ]
    return {"call_waiting": agent.spec.call_waiting, "offer": shown, "to_dispose": to_dispose}


@blueprint.get("/call-waiting")
@login_required
@documented(
    "An agent's call waiting: the setting, the offer waiting, the second calls to dispose",
    query=[Param("agent_id", "Managers: the agent.", {"type": "integer"})],
    response="AgentCallWaiting",
)
def show() -> ResponseReturnValue:
    return jsonify(_json(acting_agent(request.args)))


@blueprint.put("/call-waiting")
@login_required
@documented(
    "Turn an agent's call waiting on or off",
    body="AgentCallWaitingSetting",
    response="AgentCallWaiting",
    description="On: while on an outbound call, a queued caller of the agent's campaigns who "
    "finds no ready agent may ring the agent's phone as a second call.",
)
def update() -> ResponseReturnValue:
    body = json_object()
    agent = acting_agent(body)
    wanted = body.get("call_waiting")
    if not isinstance(wanted, bool):
        raise ValidationError(["call_waiting: true or false"])
    conn = get_db()
    spec = validate_agent(replace(agent.spec, call_waiting=wanted))
    agent_store.update_agent(conn, agent.id, agent.display_name, agent.disabled, spec)
    return jsonify(_json(agent_store.get_agent(conn, agent.id)))


@blueprint.post("/call-waiting/decline")
@login_required
@documented(
    "Decline the waiting caller offered to an agent",
    body="AgentCallWaitingDecline",
    response="AgentCallWaiting",
    description="The caller goes back to the head of the queue and is not offered to this agent "
    "again. 409 when no offer waits (already answered on the phone, expired, or withdrawn).",
)
def decline() -> ResponseReturnValue:
    body = json_object()
    agent = acting_agent(body)
    offers = WaitingOffers(redis_client())
    offer = offers.current(agent.id)
    if offer is None or offer.phase is not Phase.OFFERED:
        abort(409, "no waiting caller is offered to this agent")
    if not offers.answer(agent.id, offer.inbound_call_id, Answer.DECLINE):
        abort(409, "the offer was answered or withdrawn meanwhile")
    return jsonify(_json(agent))
