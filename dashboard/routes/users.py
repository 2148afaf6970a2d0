"""User administration (admin only): staff accounts, roles, access, and API tokens.

Agents are created on the Agents page, which adds their softphone with the login.
"""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue

from campaigns import passwords
from campaigns.errors import Conflict, ValidationError
from campaigns.storage import user_store
from campaigns.users import (
    Role,
    parse_role,
    validate_password,
    validate_token_name,
    validate_username,
)
from dashboard.access import admins
from dashboard.auth import current_user
from dashboard.db import get_db
from dashboard.navigation import NavItem

blueprint = Blueprint("users", __name__, url_prefix="/users")
NAV = [NavItem("Users", "users.index", frozenset({Role.ADMIN}), 70)]


def _list(problems: list[str] | None = None, new_token: str | None = None) -> str:
    conn = get_db()
    users = user_store.list_users(conn)
    return render_template(
        "users/list.html",
        users=users,
        tokens=user_store.list_tokens(conn),
        names={u.id: u.username for u in users},
        roles=[r.value for r in Role if r is not Role.AGENT],
        problems=problems or [],
        new_token=new_token,
    )


@blueprint.get("")
@admins
def index() -> ResponseReturnValue:
    return _list()


@blueprint.post("")
@admins
def create() -> ResponseReturnValue:
    form = request.form
    try:
        role = parse_role(form.get("role", ""))
        if role is Role.AGENT:
            raise ValidationError(["role: create agents on the Agents page (they need a phone)"])
        username = validate_username(form.get("username", "").strip())
        password_hash = passwords.hash_password(validate_password(form.get("password", "")))
        user = user_store.insert_user(
            get_db(), username, role, password_hash, form.get("display_name", "").strip()
        )
    except ValidationError as error:
        return _list(error.problems), 400
    except Conflict as error:
        return _list([str(error)]), 409
    flash(f"User {user.username} created.")
    return redirect(url_for("users.index"))


@blueprint.post("/<int:user_id>")
@admins
def update(user_id: int) -> ResponseReturnValue:
    conn = get_db()
    target = user_store.get_user(conn, user_id)
    me = current_user()
    form = request.form
    role = parse_role(form.get("role", target.role.value))
    disabled = "disabled" in form
    if me is not None and me.id == user_id and (disabled or role is not Role.ADMIN):
        # An admin who demotes or disables themselves may leave nobody able to undo it.
        flash("You cannot demote or disable yourself; ask another admin.", "error")
        return redirect(url_for("users.index"))
    if (role is Role.AGENT) != (target.role is Role.AGENT):
        flash("Agents are managed on the Agents page (their role goes with a phone).", "error")
        return redirect(url_for("users.index"))
    user_store.update_user(conn, user_id, form.get("display_name", "").strip(), role, disabled)
    password = form.get("password", "")
    if password:
        user_store.set_password(conn, user_id, passwords.hash_password(validate_password(password)))
    flash(f"User {target.username} saved.")
    return redirect(url_for("users.index"))


@blueprint.post("/<int:user_id>/tokens")
@admins
def issue_token(user_id: int) -> ResponseReturnValue:
    conn = get_db()
    owner = user_store.get_user(conn, user_id)
    name = validate_token_name(request.form.get("name", ""))
    secret = passwords.new_api_token()
    user_store.insert_token(conn, owner.id, name, passwords.token_digest(secret))
    # Shown on this response only; the database keeps its digest.
    return _list(new_token=secret)


@blueprint.post("/tokens/<int:token_id>/revoke")
@admins
def revoke_token(token_id: int) -> ResponseReturnValue:
    user_store.revoke_token(get_db(), token_id)
    flash("Token revoked.")
    return redirect(url_for("users.index"))
