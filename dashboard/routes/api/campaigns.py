"""/api/v1/campaigns: campaign settings and state."""

from __future__ import annotations

from flask import Blueprint, jsonify, request
from flask.typing import ResponseReturnValue

from campaigns.campaign import CampaignState, campaign_as_dict, validate_spec
from campaigns.campaign_changes import apply_changes, check_transition, new_spec
from campaigns.errors import ValidationError
from campaigns.storage import campaign_store
from dashboard.access import managers
from dashboard.api_schemas import json_object
from dashboard.db import get_db
from dashboard.openapi import Param, documented
from dashboard.params import optional_choice

blueprint = Blueprint("api_campaigns", __name__, url_prefix="/api/v1/campaigns")


@blueprint.get("")
@managers
@documented(
    "List campaigns",
    query=[Param("state", "Only campaigns in this state.", {"enum": list(CampaignState)})],
    response="CampaignList",
)
def list_campaigns() -> ResponseReturnValue:
    state = optional_choice(request.args, "state", list(CampaignState))
    found = campaign_store.list_campaigns(get_db(), CampaignState(state) if state else None)
    return jsonify([campaign_as_dict(c) for c in found])


@blueprint.post("")
@managers
@documented("Create a campaign (stopped)", body="CampaignInput", response="Campaign", status=201)
def create_campaign() -> ResponseReturnValue:
    spec = validate_spec(new_spec(json_object()))
    return jsonify(campaign_as_dict(campaign_store.insert_campaign(get_db(), spec))), 201


@blueprint.get("/<int:campaign_id>")
@managers
@documented("One campaign with every setting", response="Campaign")
def get_campaign(campaign_id: int) -> ResponseReturnValue:
    return jsonify(campaign_as_dict(campaign_store.get_campaign(get_db(), campaign_id)))


@blueprint.patch("/<int:campaign_id>")
@managers
@documented("Change settings (only those given)", body="CampaignInput", response="Campaign")
def update_campaign(campaign_id: int) -> ResponseReturnValue:
    conn = get_db()
    current = campaign_store.get_campaign(conn, campaign_id)
    spec = validate_spec(apply_changes(current.spec, json_object()))
    return jsonify(campaign_as_dict(campaign_store.update_campaign(conn, campaign_id, spec)))


@blueprint.post("/<int:campaign_id>/state")
@managers
@documented(
    "Start, pause or stop", body="CampaignStateInput", response="Campaign",
    description="running needs a trunk.",
)  # fmt: skip
def set_state(campaign_id: int) -> ResponseReturnValue:
    conn = get_db()
    wanted = json_object().get("state")
    if wanted not in set(CampaignState):
        raise ValidationError([f"state: one of {', '.join(CampaignState)}"])
    campaign = campaign_store.get_campaign(conn, campaign_id)
    check_transition(campaign, CampaignState(wanted))
    updated = campaign_store.set_campaign_state(conn, campaign_id, CampaignState(wanted))
    return jsonify(campaign_as_dict(updated))
