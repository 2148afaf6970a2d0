"""/api/v1/trunks (admin only; passwords are never returned)."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from flask import Blueprint, jsonify
from flask.typing import ResponseReturnValue

from campaigns.errors import ValidationError
from campaigns.storage import trunk_store
from campaigns.trunk import TrunkSpec, validate_trunk
from dashboard.access import admins
from dashboard.api_schemas import json_object, trunk_json
from dashboard.db import get_db
from dashboard.openapi import documented

blueprint = Blueprint("api_trunks", __name__, url_prefix="/api/v1/trunks")
_FIELDS = frozenset(TrunkSpec.__dataclass_fields__)


def _spec(data: dict[str, Any], base: TrunkSpec | None) -> TrunkSpec:
    unknown = sorted(set(data) - _FIELDS - {"id"})
    if unknown:
        raise ValidationError([f"{key}: not a trunk setting" for key in unknown])
    changes = {key: value for key, value in data.items() if key in _FIELDS}
    try:
        spec = replace(base, **changes) if base else TrunkSpec(**changes)
        spec = replace(spec, max_lines=int(spec.max_lines), max_cps=float(spec.max_cps))
    except (TypeError, ValueError) as error:
        raise ValidationError([f"body: {error}"]) from None
    return validate_trunk(spec)


@blueprint.get("")
@admins
@documented("List trunks", response="TrunkList")
def list_trunks() -> ResponseReturnValue:
    return jsonify([trunk_json(t) for t in trunk_store.list_trunks(get_db())])


@blueprint.post("")
@admins
@documented("Add a trunk", body="TrunkInput", response="Trunk", status=201)
def create_trunk() -> ResponseReturnValue:
    created = trunk_store.insert_trunk(get_db(), _spec(json_object(), None))
    return jsonify(trunk_json(created)), 201


@blueprint.get("/<int:trunk_id>")
@admins
@documented("One trunk", response="Trunk")
def get_trunk(trunk_id: int) -> ResponseReturnValue:
    return jsonify(trunk_json(trunk_store.get_trunk(get_db(), trunk_id)))


@blueprint.patch("/<int:trunk_id>")
@admins
@documented("Change a trunk (only the settings given)", body="TrunkInput", response="Trunk")
def update_trunk(trunk_id: int) -> ResponseReturnValue:
    conn = get_db()
    current = trunk_store.get_trunk(conn, trunk_id)
    updated = trunk_store.update_trunk(conn, trunk_id, _spec(json_object(), current.spec))
    return jsonify(trunk_json(updated))
