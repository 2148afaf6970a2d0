"""/api/v1/agent/speed-dial and /api/v1/campaigns/<id>/speed-dial: speed-dial entries.

An agent keeps their own entries and dials any entry they see (their own first, then the
campaigns' they are logged in to: campaigns.speed_dial); managers keep a campaign's entries and
may act for an agent (`agent_id`). Dialing is click-to-call: a refusal answers 409 with the
reason (DNC, calling hours, attempt cap, cool-down, not ready).
"""

from __future__ import annotations

from flask import Blueprint, current_app, jsonify, request
from flask.typing import ResponseReturnValue

from campaigns.speed_dial import Scope, parse_slot, parse_spec
from campaigns.storage import campaign_store, speed_dial_store
from dashboard.access import login_required, managers
from dashboard.api_schemas import json_object
from dashboard.db import RequestConnections, get_db
from dashboard.dial_sender import dial_sender
from dashboard.live_agents import acting_agent, now, ready_service
from dashboard.openapi import Param, documented
from dashboard.phone_feature_schemas import entry_json
from dialer.manual_dial import ManualDial
from dialer.speed_dial import SpeedDial

blueprint = Blueprint("api_speed_dial", __name__, url_prefix="/api/v1")

_AGENT_ID = Param("agent_id", "Managers: the agent.", {"type": "integer"})


def _service() -> SpeedDial:
    agents = ready_service()
    connections = RequestConnections(current_app)
    return SpeedDial(connections, agents, ManualDial(connections, agents, dial_sender()))


def _body() -> dict[str, object]:
    return json_object() if request.get_data() else {}


@blueprint.get("/agent/speed-dial")
@login_required
@documented(
    "The speed-dial entries an agent dials",
    query=[_AGENT_ID],
    response="SpeedDialList",
    description="One entry per slot: the agent's own, else the first campaign's (by id) of "
    "those the agent is logged in to.",
)
def agent_entries() -> ResponseReturnValue:
    agent = acting_agent(request.args)
    return jsonify([entry_json(e) for e in _service().entries(agent.id)])


@blueprint.put("/agent/speed-dial/<int:slot>")
@login_required
@documented("Set one of the agent's own speed-dial entries", body="SpeedDialInput", status=204)
def put_agent_entry(slot: int) -> ResponseReturnValue:
    body = json_object()
    agent = acting_agent(body)
    conn = get_db()
    campaigns = sorted(agent.spec.campaign_ids)
    region = (
        campaign_store.get_campaign(conn, campaigns[0]).spec.default_region if campaigns else "US"
    )
    speed_dial_store.put_entry(conn, Scope.AGENT, agent.id, parse_spec(slot, body, region))
    return "", 204


@blueprint.delete("/agent/speed-dial/<int:slot>")
@login_required
@documented("Remove one of the agent's own speed-dial entries", query=[_AGENT_ID], status=204)
def delete_agent_entry(slot: int) -> ResponseReturnValue:
    agent = acting_agent(request.args)
    speed_dial_store.delete_entry(get_db(), Scope.AGENT, agent.id, parse_slot(slot))
    return "", 204


@blueprint.post("/agent/speed-dial/<int:slot>/call")
@login_required
@documented(
    "Dial a speed-dial entry",
    body="AgentActionInput",
    response="SpeedDialed",
    status=202,
    description="As click-to-call: a worker calls the entry's number on the campaign's trunk "
    "and bridges the agent, who must be ready. An own entry is dialed for the first campaign "
    "the agent is logged in to.",
    errors={409: "Not dialed: the reason (a compliance rule, the agent's state, a call open)"},
)
def call_entry(slot: int) -> ResponseReturnValue:
    agent = acting_agent(_body())
    entry, dialed = _service().dial(agent.id, parse_slot(slot), now())
    return jsonify({"attempt_id": dialed.attempt_id, "entry": entry_json(entry)}), 202


@blueprint.get("/campaigns/<int:campaign_id>/speed-dial")
@login_required
@documented("A campaign's speed-dial entries", response="SpeedDialList")
def campaign_entries(campaign_id: int) -> ResponseReturnValue:
    conn = get_db()
    campaign_store.get_campaign(conn, campaign_id)  # 404 for an unknown campaign
    entries = speed_dial_store.campaign_entries(conn, (campaign_id,))
    return jsonify([entry_json(e) for e in entries])


@blueprint.put("/campaigns/<int:campaign_id>/speed-dial/<int:slot>")
@managers
@documented("Set a campaign's speed-dial entry", body="SpeedDialInput", status=204)
def put_campaign_entry(campaign_id: int, slot: int) -> ResponseReturnValue:
    conn = get_db()
    region = campaign_store.get_campaign(conn, campaign_id).spec.default_region
    spec = parse_spec(slot, json_object(), region)
    speed_dial_store.put_entry(conn, Scope.CAMPAIGN, campaign_id, spec)
    return "", 204


@blueprint.delete("/campaigns/<int:campaign_id>/speed-dial/<int:slot>")
@managers
@documented("Remove a campaign's speed-dial entry", status=204)
def delete_campaign_entry(campaign_id: int, slot: int) -> ResponseReturnValue:
    speed_dial_store.delete_entry(get_db(), Scope.CAMPAIGN, campaign_id, parse_slot(slot))
    return "", 204
