"""/api/v1 call lists: upload a list for a campaign (multipart: the file, and `options` as a
JSON field), follow the import, download its rejected rows; import a DNC file."""

from __future__ import annotations

import json
from typing import Any

from flask import Blueprint, Response, jsonify, request
from flask.typing import ResponseReturnValue

from campaigns.contact_import import service
from campaigns.contact_import.mapping import ColumnMapping, phone_label
from campaigns.contact_import.options import ImportOptions
from campaigns.errors import UnreadableFile, ValidationError
from campaigns.storage import campaign_store, import_store, mapping_store
from dashboard.access import managers
from dashboard.auth import current_user
from dashboard.db import get_db
from dashboard.dnc_uploads import run_dnc_import
from dashboard.import_runner import start_in_background
from dashboard.import_sweeps import current_import, sweep_uploads
from dashboard.list_uploads import discard, save_upload
from dashboard.openapi import documented
from dashboard.rejects_download import rejects_response

blueprint = Blueprint("api_lists", __name__, url_prefix="/api/v1")

_MULTIPART = "multipart/form-data"


def _options_field() -> dict[str, Any]:
    raw = request.form.get("options", "").strip()
    if not raw:
        return {}
    try:
        found = json.loads(raw)
    except json.JSONDecodeError as error:
        raise ValidationError([f"options: not JSON ({error.msg})"]) from error
    if not isinstance(found, dict):
        raise ValidationError(["options: a JSON object"])
    return found


def _mapping(data: Any) -> ColumnMapping | None:
    """{"phones": ["Mobile", {"header": "Home", "label": "home"}], "first_name": "First", ...}"""
    if data is None:
        return None
    if not isinstance(data, dict) or not isinstance(data.get("phones"), list):
        raise ValidationError(["options.mapping: an object with a list `phones`"])
    phones = []
    for item in data["phones"]:
        if isinstance(item, str):
            phones.append({"header": item, "label": phone_label(item)})
        elif isinstance(item, dict) and isinstance(item.get("header"), str):
            phones.append({"header": item["header"], "label": item.get("label") or item["header"]})
        else:
            raise ValidationError(["options.mapping.phones: column names or {header, label}"])
    return ColumnMapping.from_json({**data, "phones": phones})


_KINDS = {str: "a string", int: "a whole number", bool: "true or false"}


def _optional(data: dict[str, Any], name: str, kind: type) -> Any:
    value = data.get(name)
    # bool is an int to Python, not to this API.
    if value is not None and (
        not isinstance(value, kind) or (isinstance(value, bool) and kind is not bool)
    ):
        raise ValidationError([f"options.{name}: {_KINDS[kind]} or null"])
    return value


@blueprint.post("/campaigns/<int:campaign_id>/lists")
@managers
@documented(
    "Upload a call list and start importing it",
    body="ListUpload",
    body_media_type=_MULTIPART,
    response="ImportStatus",
    status=202,
    description="The file is checked (format, columns, mapping) before the answer; the import "
    "then runs in the background: poll GET /imports/{import_id}. Without `options.mapping` "
    "nor `options.mapping_template`, columns are guessed from the headers and cells.",
    errors={413: "The file is larger than the upload limit"},
)
def upload_list(campaign_id: int) -> ResponseReturnValue:
    conn = get_db()
    campaign = campaign_store.get_campaign(conn, campaign_id)
    data = _options_field()
    mapping = _mapping(data.get("mapping"))
    template = _optional(data, "mapping_template", str)
    if template and mapping is not None:
        raise ValidationError(["options: give mapping or mapping_template, not both"])
    if template:
        mapping = mapping_store.get_template(conn, campaign.id, template)
    options = ImportOptions(
        mapping=mapping,
        region=_optional(data, "region", str),
        list_name=_optional(data, "list_name", str),
        skip_dialed_days=_optional(data, "skip_dialed_days", int),
        has_header=_optional(data, "has_header", bool),
        sheet=_optional(data, "sheet", str),
    )
    sweep_uploads(conn)
    saved = save_upload(request.files.get("file"))
    user = current_user()
    try:
        import_id = service.start_import(
            conn,
            campaign.id,
            saved.path,
            filename=saved.filename,
            options=options,
            created_by=user.id if user else None,
        )
    except UnreadableFile as error:
        discard(saved)
        raise ValidationError([f"file: {error}"]) from error
    except ValidationError:
        discard(saved)
        raise
    save_as = _optional(data, "save_mapping", str)
    status = import_store.get_import(conn, import_id)
    if save_as:
        used = ColumnMapping.from_json(status.options["mapping"])
        mapping_store.save_template(conn, campaign.id, save_as[:100], used)
    start_in_background(import_id, saved.path.parent)
    return jsonify(status.to_json()), 202


@blueprint.get("/imports/<int:import_id>")
@managers
@documented(
    "An import's state, progress and counts",
    response="ImportStatus",
    description="An import whose process stopped (killed, crashed) reads as failed, with the "
    "reason in `error`; nothing of it was stored.",
)
def import_status(import_id: int) -> ResponseReturnValue:
    return jsonify(current_import(get_db(), import_id).to_json())


@blueprint.get("/imports/<int:import_id>/rejects.csv")
@managers
@documented(
    "An import's rejected rows with their reasons (CSV, formula cells defused)",
    response="RejectsCsv",
    media_type="text/csv",
)
def import_rejects(import_id: int) -> Response:
    return rejects_response(get_db(), import_id)


@blueprint.post("/dnc/import")
@managers
@documented(
    "Import a file of numbers into the global or a campaign's DNC list",
    body="DncUpload",
    body_media_type=_MULTIPART,
    response="DncImportResult",
    description="Synchronous: the answer carries the summary. Matching contacts are blocked at "
    "once. All or nothing.",
    errors={413: "The file is larger than the upload limit"},
)
def import_dnc() -> ResponseReturnValue:
    return jsonify(run_dnc_import(request.form.get("campaign_id", "")).to_json())
