"""Trunk pages (admin only: trunks hold carrier credentials, and a wrong URI is toll fraud)."""

from __future__ import annotations

from dataclasses import replace

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue

from campaigns.errors import Conflict, ValidationError
from campaigns.storage import trunk_store
from campaigns.trunk import TrunkSpec, validate_trunk
from campaigns.users import Role
from dashboard.access import admins
from dashboard.db import get_db
from dashboard.navigation import NavItem

blueprint = Blueprint("trunks", __name__, url_prefix="/trunks")
NAV = [NavItem("Trunks", "trunks.index", frozenset({Role.ADMIN}), 60)]


def trunk_from_form(form: dict[str, str], current: TrunkSpec | None = None) -> TrunkSpec:
    def text(name: str) -> str | None:
        return form.get(name, "").strip() or None

    try:
        max_lines = int(form.get("max_lines") or 100)
        max_cps = float(form.get("max_cps") or 10)
    except ValueError:
        raise ValidationError(["max_lines, max_cps: numbers"]) from None
    password = form.get("auth_password") or None
    if password is None and current is not None and text("auth_username"):
        password = current.auth_password  # blank on edit: keep the stored password
    return TrunkSpec(
        name=text("name") or "",
        uri_template=text("uri_template") or "",
        outbound_proxy=text("outbound_proxy"),
        auth_username=text("auth_username"),
        auth_password=password,
        auth_realm=text("auth_realm"),
        max_lines=max_lines,
        max_cps=max_cps,
    )


def _form(values: dict[str, object], problems: list[str], trunk_id: int | None) -> str:
    return render_template("trunks/form.html", values=values, problems=problems, trunk_id=trunk_id)


@blueprint.get("")
@admins
def index() -> ResponseReturnValue:
    return render_template("trunks/list.html", trunks=trunk_store.list_trunks(get_db()))


@blueprint.get("/new")
@admins
def new() -> ResponseReturnValue:
    return _form({"max_lines": 100, "max_cps": 10}, [], None)


@blueprint.post("")
@admins
def create() -> ResponseReturnValue:
    values = request.form.to_dict()
    try:
        created = trunk_store.insert_trunk(get_db(), validate_trunk(trunk_from_form(values)))
    except ValidationError as error:
        return _form(values, error.problems, None), 400
    except Conflict as error:
        return _form(values, [str(error)], None), 409
    flash(f"Trunk {created.name} created.")
    return redirect(url_for("trunks.index"))


@blueprint.get("/<int:trunk_id>/edit")
@admins
def edit(trunk_id: int) -> ResponseReturnValue:
    trunk = trunk_store.get_trunk(get_db(), trunk_id)
    values: dict[str, object] = dict(replace(trunk.spec, auth_password=None).__dict__)
    return _form(values, [], trunk_id)


@blueprint.post("/<int:trunk_id>/edit")
@admins
def update(trunk_id: int) -> ResponseReturnValue:
    conn = get_db()
    current = trunk_store.get_trunk(conn, trunk_id)
    values = request.form.to_dict()
    try:
        spec = validate_trunk(trunk_from_form(values, current.spec))
        trunk_store.update_trunk(conn, trunk_id, spec)
    except ValidationError as error:
        return _form(values, error.problems, trunk_id), 400
    except Conflict as error:
        return _form(values, [str(error)], trunk_id), 409
    flash(f"Trunk {spec.name} saved.")
    return redirect(url_for("trunks.index"))
