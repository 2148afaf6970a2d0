"""A campaign's dispositions: what agents record at the end of a call."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue

from campaigns.dispositions import (
    Disposition,
    DispositionAction,
    parse_action,
    validate_disposition,
)
from campaigns.errors import Conflict, ValidationError
from campaigns.storage import campaign_store, disposition_store
from dashboard.access import managers
from dashboard.db import get_db

blueprint = Blueprint(
    "dispositions", __name__, url_prefix="/campaigns/<int:campaign_id>/dispositions"
)


def disposition_from(
    data: dict[str, object], campaign_id: int, code: str | None = None
) -> Disposition:
    try:
        position = int(str(data.get("position") or 0))
    except ValueError:
        raise ValidationError(["position: an integer"]) from None
    human = data.get("human")
    return validate_disposition(
        Disposition(
            campaign_id=campaign_id,
            code=code if code is not None else str(data.get("code", "")).strip(),
            label=str(data.get("label", "")).strip(),
            action=parse_action(str(data.get("action", ""))),
            human=human if isinstance(human, bool) else human in ("on", "true", "1"),
            position=position,
        )
    )


def _back(campaign_id: int) -> ResponseReturnValue:
    return redirect(url_for("dispositions.index", campaign_id=campaign_id))


@blueprint.get("")
@managers
def index(campaign_id: int) -> ResponseReturnValue:
    conn = get_db()
    return render_template(
        "dispositions/list.html",
        campaign=campaign_store.get_campaign(conn, campaign_id),
        dispositions=disposition_store.list_dispositions(conn, campaign_id),
        actions=[a.value for a in DispositionAction],
    )


@blueprint.post("")
@managers
def add(campaign_id: int) -> ResponseReturnValue:
    try:
        created = disposition_store.insert_disposition(
            get_db(), disposition_from(request.form.to_dict(), campaign_id)
        )
    except (ValidationError, Conflict) as error:
        for problem in error.problems if isinstance(error, ValidationError) else [str(error)]:
            flash(problem, "error")
    else:
        flash(f"Disposition {created.label} added.")
    return _back(campaign_id)


@blueprint.post("/<code>")
@managers
def update(campaign_id: int, code: str) -> ResponseReturnValue:
    try:
        disposition_store.update_disposition(
            get_db(), disposition_from(request.form.to_dict(), campaign_id, code)
        )
    except ValidationError as error:
        for problem in error.problems:
            flash(problem, "error")
    else:
        flash(f"Disposition {code} saved.")
    return _back(campaign_id)


@blueprint.post("/<code>/delete")
@managers
def remove(campaign_id: int, code: str) -> ResponseReturnValue:
    disposition_store.delete_disposition(get_db(), campaign_id, code)
    flash(f"Disposition {code} removed.")
    return _back(campaign_id)
