"""Signing in and out, and changing one's own password."""

from __future__ import annotations

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue

from campaigns import passwords
from campaigns.errors import ValidationError
from campaigns.storage import user_store
from campaigns.users import Role, User, validate_password
from dashboard.access import login_required, public
from dashboard.auth import current_user, end_session, start_session
from dashboard.db import get_db
from dashboard.live_agents import agent_service, now, own_agent_or_none
from dashboard.rate_limit import LoginThrottle, LoginThrottled
from dashboard.redirects import safe_next
from dialer.agents.service import HandBack
from dialer.preview import release_preview

blueprint = Blueprint("auth", __name__)

_FAILED = "Wrong username or password."


def home_for(user: User) -> str:
    return url_for("console.index") if user.role is Role.AGENT else url_for("campaigns.index")


@blueprint.get("/")
@login_required
def home() -> ResponseReturnValue:
    user = current_user()
    assert user is not None
    return redirect(home_for(user))


@blueprint.get("/login")
@public
def login_form() -> ResponseReturnValue:
    user = current_user()
    if user is not None:
        return redirect(safe_next(request.args.get("next"), home_for(user)))
    return render_template("login.html", next=request.args.get("next", ""))


@blueprint.post("/login")
@public
def login() -> ResponseReturnValue:
    username = request.form.get("username", "").strip()[:64]
    password = request.form.get("password", "")
    target = request.form.get("next", "")
    throttle: LoginThrottle = current_app.extensions["dialer.login_throttle"]
    try:
        throttle.attempt(username, request.remote_addr or "unknown")
    except LoginThrottled as error:
        page = render_template("login.html", next=target, error=str(error), username=username)
        return page, 429, {"Retry-After": str(error.retry_after_s)}
    user = _authenticate(username, password)
    if user is None:
        page = render_template("login.html", next=target, error=_FAILED, username=username)
        return page, 401
    throttle.succeeded(username)
    start_session(user)
    return redirect(safe_next(target, home_for(user)))


def _authenticate(username: str, password: str) -> User | None:
    found = user_store.password_hash_of(get_db(), username) if username else None
    if found is None:
        passwords.verify_nobody(password)
        return None
    user, password_hash = found
    if not passwords.verify_password(password_hash, password) or user.disabled:
        return None
    if passwords.needs_rehash(password_hash):
        # The cost parameters went up since this hash was made: store it at today's cost.
        user_store.set_password_hash_only(get_db(), user.id, passwords.hash_password(password))
    return user


@blueprint.post("/logout")
@public
def logout() -> ResponseReturnValue:
    agent = own_agent_or_none()
    if agent is not None:
        # An agent leaving the console gives back the contact on its preview card at once
        # (rather than after the campaign's hold limit) and is paused, not offered the next.
        release_preview(
            agent_service(),
            agent.id,
            now(),
            why="released: the agent signed out",
            how=HandBack.HOLD_EXPIRED,
        )
    end_session()
    return redirect(url_for("auth.login_form"))


@blueprint.get("/account/password")
@login_required
def password_form() -> ResponseReturnValue:
    return render_template("account/password.html", problems=[])


@blueprint.post("/account/password")
@login_required
def change_password() -> ResponseReturnValue:
    user = current_user()
    assert user is not None
    form = request.form
    found = user_store.password_hash_of(get_db(), user.username)
    problems = []
    if found is None or not passwords.verify_password(found[1], form.get("current", "")):
        problems.append("current: that is not your current password")
    if form.get("new", "") != form.get("repeat", ""):
        problems.append("repeat: the two new passwords differ")
    try:
        validate_password(form.get("new", ""))
    except ValidationError as error:
        problems += error.problems
    if problems:
        return render_template("account/password.html", problems=problems), 400
    updated = user_store.set_password(get_db(), user.id, passwords.hash_password(form["new"]))
    # The epoch moved on, which ended every session of this user: this one starts afresh.
    start_session(updated)
    flash("Password changed. Your other sessions have been signed out.")
    return redirect(home_for(updated))
