"""/api/v1/contacts/<id>/call: click-to-call, an agent calls one contact now (dialer.manual_dial).

The compliance rules of automatic dialing apply; a refusal answers 409 with the reason (DNC,
calling hours, attempt cap, cool-down, campaign stopped, contact closed or already in a call).
Agents call for themselves; managers name the agent (`agent_id`), whose phone is rung.
"""

from __future__ import annotations

from flask import Blueprint, current_app, jsonify, request
from flask.typing import ResponseReturnValue

from dashboard.access import login_required
from dashboard.api_schemas import json_object
from dashboard.db import RequestConnections
from dashboard.dial_sender import dial_sender
from dashboard.live_agents import acting_agent, now, ready_service
from dashboard.openapi import documented
from dialer.manual_dial import ManualDial

blueprint = Blueprint("api_manual_dial", __name__, url_prefix="/api/v1/contacts")


@blueprint.post("/<int:contact_id>/call")
@login_required
@documented(
    "Call a contact now (click-to-call)",
    body="AgentActionInput",
    response="PreviewDialed",
    status=202,
    description="A worker calls the contact and bridges the agent, who must be ready and "
    "working the contact's campaign; the agent is reserved for the call at once. Every "
    "compliance rule of automatic dialing is checked first.",
    errors={409: "Not dialed: the reason (a compliance rule, the agent's state, a call open)"},
)
def call(contact_id: int) -> ResponseReturnValue:
    agent = acting_agent(json_object() if request.get_data() else {})
    service = ManualDial(RequestConnections(current_app), ready_service(), dial_sender())
    dialed = service.call_contact(agent.id, contact_id, now())
    return jsonify({"attempt_id": dialed.attempt_id}), 202
