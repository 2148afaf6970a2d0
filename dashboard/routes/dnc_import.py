"""Bulk DNC import page (`dnc_import.form`, linked from the DNC page): upload a file of numbers
into the global list or a campaign's, and see what it did."""

from __future__ import annotations

from flask import Blueprint, render_template, request
from flask.typing import ResponseReturnValue
from werkzeug.exceptions import RequestEntityTooLarge

from campaigns.errors import NotFound, ValidationError
from campaigns.storage import campaign_store
from dashboard.access import managers
from dashboard.db import get_db
from dashboard.dnc_uploads import run_dnc_import
from dashboard.params import optional_int

blueprint = Blueprint("dnc_import", __name__, url_prefix="/dnc/import")


def _render(campaign_field: str, **extra: object) -> str:
    conn = get_db()
    campaign_id = optional_int({"campaign_id": campaign_field}, "campaign_id")
    return render_template(
        "dnc/import.html",
        campaign=campaign_store.get_campaign(conn, campaign_id) if campaign_id else None,
        campaigns=campaign_store.list_campaigns(conn),
        **extra,
    )


@blueprint.errorhandler(RequestEntityTooLarge)
def _too_large(_error: RequestEntityTooLarge) -> ResponseReturnValue:
    limit_mb = (request.max_content_length or 0) // (1024 * 1024)
    problems = [f"file: larger than the {limit_mb} MB upload limit; split it"]
    return _render("", problems=problems), 413


@blueprint.get("")
@managers
def form() -> ResponseReturnValue:
    return _render(request.args.get("campaign_id", ""), problems=[])


@blueprint.post("")
@managers
def upload() -> ResponseReturnValue:
    field = request.form.get("campaign_id", "")
    try:
        result = run_dnc_import(field)
    except (ValidationError, NotFound) as error:
        problems = error.problems if isinstance(error, ValidationError) else [str(error)]
        return _render(field, problems=problems), 400
    return _render(field, problems=[], result=result)
