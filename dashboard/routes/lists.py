"""Call list pages: upload a file for a campaign, map its columns, follow the import, download
its rejected rows. The import engine (campaigns.contact_import) does every check and all the
work; these views only move the file and the form to it."""

from __future__ import annotations

from collections.abc import Mapping

from flask import Blueprint, Response, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from werkzeug.exceptions import RequestEntityTooLarge

from campaigns.contact_import import service
from campaigns.contact_import.mapping import ColumnMapping
from campaigns.contact_import.preview import preview_file
from campaigns.errors import UnreadableFile, ValidationError
from campaigns.storage import campaign_store, import_store, mapping_store
from campaigns.users import Role
from dashboard.access import managers
from dashboard.auth import current_user
from dashboard.db import get_db
from dashboard.import_runner import start_in_background
from dashboard.import_sweeps import close_dead_imports, current_import, sweep_uploads
from dashboard.list_penetration import campaign_penetration
from dashboard.list_uploads import (
    ROLE_CHOICES,
    discard,
    find_upload,
    mapping_from_form,
    options_from_form,
    roles_by_column,
    save_upload,
)
from dashboard.navigation import NavItem
from dashboard.rejects_download import rejects_response

blueprint = Blueprint("lists", __name__)
NAV = [NavItem("Lists", "lists.index", frozenset({Role.ADMIN, Role.SUPERVISOR}), 15)]


@blueprint.errorhandler(RequestEntityTooLarge)
def _too_large(_error: RequestEntityTooLarge) -> ResponseReturnValue:
    limit_mb = (request.max_content_length or 0) // (1024 * 1024)
    message = f"The file is larger than the {limit_mb} MB upload limit: split it and upload parts."
    return render_template("error.html", status=413, error="too_large", message=message), 413


@blueprint.get("/lists")
@managers
def index() -> ResponseReturnValue:
    conn = get_db()
    close_dead_imports(conn)
    campaigns = campaign_store.list_campaigns(conn)
    latest = {c.id: import_store.list_imports(conn, c.id, limit=3) for c in campaigns}
    return render_template("lists/index.html", campaigns=campaigns, latest=latest)


@blueprint.get("/campaigns/<int:campaign_id>/lists")
@managers
def campaign_lists(campaign_id: int) -> ResponseReturnValue:
    conn = get_db()
    campaign = campaign_store.get_campaign(conn, campaign_id)
    close_dead_imports(conn)
    return render_template(
        "lists/campaign.html",
        campaign=campaign,
        imports=import_store.list_imports(conn, campaign_id),
        penetration=campaign_penetration(conn, campaign_id),
    )


@blueprint.post("/campaigns/<int:campaign_id>/lists")
@managers
def upload(campaign_id: int) -> ResponseReturnValue:
    campaign = campaign_store.get_campaign(get_db(), campaign_id)
    sweep_uploads(get_db())
    try:
        saved = save_upload(request.files.get("file"))
    except ValidationError as error:
        for problem in error.problems:
            flash(problem, "error")
        return redirect(url_for("lists.campaign_lists", campaign_id=campaign.id))
    try:
        preview = preview_file(saved.path)
        if preview.mapping is None and len(preview.shape.sheets) > 1:
            # Another sheet of the workbook may be the list: the mapping step offers them all.
            return redirect(url_for("lists.mapping", campaign_id=campaign.id, token=saved.token))
        if preview.mapping is None:
            # Lists with odd headers still get a guess from their cells; none at all means
            # the file is not a call list (garbage reads as Latin-1 CSV).
            raise UnreadableFile(
                f"no column looks like phone numbers (read as {preview.shape.format.value}"
                f"{', ' + preview.shape.encoding if preview.shape.encoding else ''}): "
                "is it a call list?"
            )
    except UnreadableFile as error:
        discard(saved)
        flash(f"{saved.filename}: {error}", "error")
        return redirect(url_for("lists.campaign_lists", campaign_id=campaign.id))
    return redirect(url_for("lists.mapping", campaign_id=campaign.id, token=saved.token))


def _render_mapping(
    campaign_id: int,
    token: str,
    mapping: ColumnMapping | None,
    problems: list[str],
    sheet: str | None = None,
) -> ResponseReturnValue:
    conn = get_db()
    campaign = campaign_store.get_campaign(conn, campaign_id)
    saved = find_upload(token)
    try:
        preview = preview_file(saved.path, mapping, sheet=sheet)
    except (UnreadableFile, ValidationError) as error:
        flash(f"{saved.filename}: {error}", "error")
        if sheet is not None:
            # No such sheet (any more); the workbook itself was read: back to its first sheet.
            return redirect(url_for("lists.mapping", campaign_id=campaign.id, token=token))
        discard(saved)
        return redirect(url_for("lists.campaign_lists", campaign_id=campaign.id))
    return render_template(
        "lists/mapping.html",
        campaign=campaign,
        upload=saved,
        preview=preview,
        roles=roles_by_column(preview.mapping or mapping, preview.headers),
        role_choices=ROLE_CHOICES,
        templates=[name for name, _ in mapping_store.list_templates(conn, campaign_id)],
        values=request.form if request.method == "POST" else {},
        problems=[*problems, *preview.problems],
    ), (400 if problems else 200)


@blueprint.get("/campaigns/<int:campaign_id>/lists/uploads/<token>")
@managers
def mapping(campaign_id: int, token: str) -> ResponseReturnValue:
    template = request.args.get("template", "").strip()
    chosen = mapping_store.get_template(get_db(), campaign_id, template) if template else None
    return _render_mapping(campaign_id, token, chosen, [], _sheet(request.args))


@blueprint.post("/campaigns/<int:campaign_id>/lists/uploads/<token>")
@managers
def start(campaign_id: int, token: str) -> ResponseReturnValue:
    conn = get_db()
    campaign = campaign_store.get_campaign(conn, campaign_id)
    saved = find_upload(token)
    if request.form.get("action") == "discard":
        discard(saved)
        flash(f"{saved.filename} discarded.")
        return redirect(url_for("lists.campaign_lists", campaign_id=campaign.id))
    headers = tuple(request.form.getlist("header"))
    try:
        chosen = mapping_from_form(request.form, headers)
        options = options_from_form(request.form, chosen)
        user = current_user()
        import_id = service.start_import(
            conn,
            campaign.id,
            saved.path,
            filename=saved.filename,
            options=options,
            created_by=user.id if user else None,
        )
    except ValidationError as error:
        return _render_mapping(campaign_id, token, None, error.problems, _sheet(request.form))
    except UnreadableFile as error:
        return _render_mapping(campaign_id, token, None, [str(error)], _sheet(request.form))
    template_name = request.form.get("save_template", "").strip()
    if template_name:
        mapping_store.save_template(conn, campaign.id, template_name[:100], chosen)
    start_in_background(import_id, saved.path.parent)
    return redirect(url_for("lists.show_import", import_id=import_id))


def _sheet(values: Mapping[str, str]) -> str | None:
    """The workbook sheet the mapping step shows; None: the first."""
    return values.get("sheet", "").strip() or None


@blueprint.get("/imports/<int:import_id>")
@managers
def show_import(import_id: int) -> ResponseReturnValue:
    conn = get_db()
    status = current_import(conn, import_id)
    campaign = campaign_store.get_campaign(conn, status.campaign_id)
    return render_template("lists/import.html", status=status, campaign=campaign)


@blueprint.get("/imports/<int:import_id>/rejects.csv")
@managers
def rejects(import_id: int) -> Response:
    return rejects_response(get_db(), import_id)
