"""/api/v1/campaigns/<id>/dispositions."""

from __future__ import annotations

from flask import Blueprint, abort, jsonify
from flask.typing import ResponseReturnValue

from campaigns.storage import agent_store, campaign_store, disposition_store
from campaigns.users import Role
from dashboard.access import login_required, managers
from dashboard.api_schemas import json_object
from dashboard.auth import current_user
from dashboard.db import get_db
from dashboard.openapi import documented
from dashboard.routes.dispositions import disposition_from

blueprint = Blueprint(
    "api_dispositions", __name__, url_prefix="/api/v1/campaigns/<int:campaign_id>/dispositions"
)


@blueprint.get("")
@login_required
@documented(
    "A campaign's dispositions",
    response="DispositionList",
    description="Agents may read those of the campaigns they work.",
)
def list_dispositions(campaign_id: int) -> ResponseReturnValue:
    conn = get_db()
    user = current_user()
    assert user is not None
    if user.role is Role.AGENT:
        agent = agent_store.agent_for_user(conn, user.id)
        if agent is None or campaign_id not in agent.spec.campaign_ids:
            abort(403, "you do not work this campaign")
    campaign_store.get_campaign(conn, campaign_id)
    return jsonify(disposition_store.list_dispositions(conn, campaign_id))


@blueprint.post("")
@managers
@documented("Add a disposition", body="DispositionInput", response="Disposition", status=201)
def add_disposition(campaign_id: int) -> ResponseReturnValue:
    disposition = disposition_from(json_object(), campaign_id)
    return jsonify(disposition_store.insert_disposition(get_db(), disposition)), 201


@blueprint.patch("/<code>")
@managers
@documented("Change a disposition", body="DispositionInput", response="Disposition")
def update_disposition(campaign_id: int, code: str) -> ResponseReturnValue:
    conn = get_db()
    current = {d.code: d for d in disposition_store.list_dispositions(conn, campaign_id)}
    if code not in current:
        abort(404, f"no disposition {code!r} in this campaign")
    merged = {**current[code].__dict__, "action": current[code].action.value, **json_object()}
    return jsonify(
        disposition_store.update_disposition(conn, disposition_from(merged, campaign_id, code))
    )


@blueprint.delete("/<code>")
@managers
@documented("Remove a disposition", status=204)
def delete_disposition(campaign_id: int, code: str) -> ResponseReturnValue:
    disposition_store.delete_disposition(get_db(), campaign_id, code)
    return "", 204
