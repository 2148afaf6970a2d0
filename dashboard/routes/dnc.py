"""Do-not-call pages: the global list and each campaign's list; add and remove entries.

Bulk import hook: the list import service's engineer adds a blueprint with an endpoint named
`dnc_import.form` (taking `campaign_id` as an optional query argument); this page links to it as
soon as it exists, with no change here.
"""

from __future__ import annotations

from flask import (
    Blueprint,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask.typing import ResponseReturnValue

from campaigns.dnc import normalise_number
from campaigns.errors import Conflict, ValidationError
from campaigns.storage import campaign_store, dnc_store
from campaigns.users import Role
from dashboard.access import managers
from dashboard.auth import current_user
from dashboard.db import get_db
from dashboard.navigation import NavItem
from dashboard.params import optional_int, optional_phone_prefix, page_request

blueprint = Blueprint("dnc", __name__, url_prefix="/dnc")
NAV = [NavItem("Do not call", "dnc.index", frozenset({Role.ADMIN, Role.SUPERVISOR}), 30)]
IMPORT_ENDPOINT = "dnc_import.form"


def _list_url(campaign_id: int | None) -> str:
    return url_for("dnc.index", campaign_id=campaign_id) if campaign_id else url_for("dnc.index")


@blueprint.get("")
@managers
def index() -> ResponseReturnValue:
    conn = get_db()
    campaign_id = optional_int(request.args, "campaign_id")
    campaign = campaign_store.get_campaign(conn, campaign_id) if campaign_id else None
    phone = optional_phone_prefix(request.args, "phone")
    page = dnc_store.list_dnc(conn, campaign_id, page_request(request.args, "-added_at"), phone)
    return render_template(
        "dnc/list.html",
        page=page,
        campaign=campaign,
        campaigns=campaign_store.list_campaigns(conn),
        phone=request.args.get("phone", ""),
        args=request.args.to_dict(),
        import_endpoint=IMPORT_ENDPOINT if IMPORT_ENDPOINT in current_app.view_functions else None,
    )


@blueprint.post("")
@managers
def add() -> ResponseReturnValue:
    conn = get_db()
    campaign_id = optional_int(request.form, "campaign_id")
    region = "US"
    if campaign_id:
        region = campaign_store.get_campaign(conn, campaign_id).spec.default_region
    user = current_user()
    try:
        number = normalise_number(request.form.get("phone", ""), region)
        source = request.form.get("source", "").strip()[:200] or "manual"
        dnc_store.add_dnc(conn, campaign_id, number, source, user.id if user else None)
    except (ValidationError, Conflict) as error:
        problems = error.problems if isinstance(error, ValidationError) else [str(error)]
        for problem in problems:
            flash(problem, "error")
    else:
        flash(f"{number} added to the do-not-call list.")
    return redirect(_list_url(campaign_id))


@blueprint.post("/<int:entry_id>/delete")
@managers
def remove(entry_id: int) -> ResponseReturnValue:
    entry = dnc_store.remove_dnc(get_db(), entry_id)
    flash(f"{entry.phone_e164} removed from the do-not-call list.")
    return redirect(_list_url(entry.campaign_id))
