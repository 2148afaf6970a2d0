"""/api/v1/dnc: do-not-call entries, the global list and per-campaign lists."""

from __future__ import annotations

from flask import Blueprint, jsonify, request
from flask.typing import ResponseReturnValue

from campaigns.dnc import normalise_number
from campaigns.errors import ValidationError
from campaigns.storage import campaign_store, dnc_store
from dashboard.access import managers
from dashboard.api_schemas import json_object
from dashboard.auth import current_user
from dashboard.db import get_db
from dashboard.openapi import PAGING, Param, documented, sort_param
from dashboard.params import optional_int, optional_phone_prefix, page_request

blueprint = Blueprint("api_dnc", __name__, url_prefix="/api/v1/dnc")


@blueprint.get("")
@managers
@documented(
    "Entries of one list, paged",
    query=[
        Param("campaign_id", "The campaign's list; absent: the global list.", {"type": "integer"}),
        Param("phone", "Numbers starting with these digits."),
        *PAGING,
        sort_param(list(dnc_store.SORTABLE)),
    ],
    response="DncPage",
)
def list_entries() -> ResponseReturnValue:
    page = dnc_store.list_dnc(
        get_db(),
        optional_int(request.args, "campaign_id"),
        page_request(request.args, "-added_at"),
        optional_phone_prefix(request.args, "phone"),
    )
    return jsonify(items=page.items, next_offset=page.next_offset)


@blueprint.post("")
@managers
@documented("Add a number", body="DncInput", response="DncEntry", status=201)
def add_entry() -> ResponseReturnValue:
    body = json_object()
    conn = get_db()
    campaign_id = body.get("campaign_id")
    if campaign_id is not None and (
        isinstance(campaign_id, bool) or not isinstance(campaign_id, int)
    ):
        raise ValidationError(["campaign_id: an integer or null"])
    region = (
        campaign_store.get_campaign(conn, campaign_id).spec.default_region if campaign_id else "US"
    )
    number = normalise_number(str(body.get("phone", "")), region)
    source = str(body.get("source") or "api")[:200]
    user = current_user()
    entry = dnc_store.add_dnc(conn, campaign_id, number, source, user.id if user else None)
    return jsonify(entry), 201


@blueprint.delete("/<int:entry_id>")
@managers
@documented("Remove an entry", response="DncEntry")
def remove_entry(entry_id: int) -> ResponseReturnValue:
    return jsonify(dnc_store.remove_dnc(get_db(), entry_id))
