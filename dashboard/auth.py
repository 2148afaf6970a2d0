"""Authentication and the access check every request passes before its view runs.

Sessions live in Flask's signed cookie and carry the user id, the user's session epoch, and when
the session started and was last used. A session ends when it is idle too long, when it is older
than the absolute limit (a shift), when the user is disabled, or when their epoch moves on (a
password or role change): the user row is read on every request, so all of these take effect at
once. API clients send `Authorization: Bearer TOKEN` instead; they carry no cookie, so no CSRF
token either.
"""

from __future__ import annotations

import logging
import time
from urllib.parse import urlencode

from flask import Flask, abort, current_app, g, jsonify, redirect, request, session
from flask.typing import ResponseReturnValue
from flask_wtf.csrf import CSRFProtect

from campaigns import passwords
from campaigns.errors import NotFound
from campaigns.storage import user_store
from campaigns.users import User
from dashboard.access import access_of
from dashboard.db import get_db

log = logging.getLogger(__name__)

csrf = CSRFProtect()

_UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
API_PREFIX = "/api/"


def is_api_request() -> bool:
    return request.path.startswith(API_PREFIX)


def current_user() -> User | None:
    user: User | None = g.get("user")
    return user


def start_session(user: User) -> None:
    """A fresh session for `user`: nothing of the anonymous one survives (its CSRF token
    included), so a session cannot be fixed before login."""
    session.clear()
    now = int(time.time())
    session.permanent = True
    session.update({"uid": user.id, "epoch": user.session_epoch, "login_at": now, "seen_at": now})


def end_session() -> None:
    session.clear()


def _session_user() -> User | None:
    uid = session.get("uid")
    if uid is None:
        return None
    now = int(time.time())
    config = current_app.config
    idle = now - int(session.get("seen_at", 0))
    age = now - int(session.get("login_at", 0))
    if idle > config["DIALER_SESSION_IDLE_S"] or age > config["DIALER_SESSION_MAX_AGE_S"]:
        end_session()
        return None
    try:
        user = user_store.get_user(get_db(), int(uid))
    except NotFound:
        user = None
    if user is None or user.disabled or user.session_epoch != session.get("epoch"):
        end_session()
        return None
    # Rewriting the cookie on every request is wasteful; a minute's precision is plenty.
    if now - int(session.get("seen_at", 0)) >= 60:
        session["seen_at"] = now
    return user


def _bearer_user(header: str) -> User | None:
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return None
    return user_store.user_for_token(get_db(), passwords.token_digest(token.strip()))


def _unauthenticated() -> ResponseReturnValue:
    if is_api_request():
        response = jsonify(error="unauthorized", message="sign in or send a bearer token")
        response.status_code = 401
        response.headers["WWW-Authenticate"] = 'Bearer realm="dialer"'
        return response
    target = request.full_path if request.query_string else request.path
    return redirect("/login?" + urlencode({"next": target}))


def check_access() -> ResponseReturnValue | None:
    """The before-request hook: who is this, may they call this view, and is the write
    CSRF-protected. Returns a response to stop the request, None to let the view run."""
    if request.endpoint is None:  # no such URL: let Flask answer 404/405
        return None
    access = access_of(current_app.view_functions.get(request.endpoint))
    if access is None:
        log.error("view %s declares no access rule; refusing it", request.endpoint)
        abort(403)
    header = request.headers.get("Authorization", "")
    g.via_token = bool(header) and is_api_request()
    g.user = _bearer_user(header) if g.via_token else _session_user()
    if g.via_token and g.user is None:
        return _unauthenticated()
    if not access.is_public:
        if g.user is None:
            return _unauthenticated()
        if not access.allows(g.user.role):
            abort(403)
    if not g.via_token and request.method in _UNSAFE_METHODS:
        # Cookie-authenticated writes, the login form included, need the CSRF token (form
        # field csrf_token or header X-CSRFToken); CSRFError answers 400. Token requests carry
        # no cookie a foreign page could ride on, so they need none.
        csrf.protect()
    return None


def init_auth(app: Flask) -> None:
    # CSRF runs inside check_access, after we know whether the request came with a token.
    app.config.setdefault("WTF_CSRF_CHECK_DEFAULT", False)
    # Tokens live as long as the session; a fixed hour would break forms left open.
    app.config.setdefault("WTF_CSRF_TIME_LIMIT", None)
    csrf.init_app(app)
    app.before_request(check_access)

    @app.context_processor
    def _user() -> dict[str, object]:
        return {"current_user": current_user()}
