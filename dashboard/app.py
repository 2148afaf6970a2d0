"""The dashboard's app factory. Nothing connects at import time: the factory opens this process's
database pool and Redis client, so gunicorn calls it in each worker after the fork."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from datetime import timedelta
from typing import Any

from flask import Flask

from dashboard.auth import init_auth
from dashboard.db import init_pool
from dashboard.errors import init_errors
from dashboard.import_sweeps import sweep_at_start
from dashboard.json import ApiJSONProvider
from dashboard.navigation import init_navigation
from dashboard.rate_limit import LoginThrottle
from dashboard.routes import register_blueprints
from dialer.bootstrap import ServiceUrls, redis_client, secret_key
from dialer.settings import Settings

log = logging.getLogger(__name__)

# An agent's shift, at most: after this a session ends even while in use.
SESSION_MAX_AGE_S = 12 * 3600
# Unused this long, a session ends (a forgotten supervisor screen on a shared desk).
SESSION_IDLE_S = 60 * 60
DB_POOL_SIZE = 10


def create_app(
    settings: Settings, services: ServiceUrls, overrides: Mapping[str, Any] | None = None
) -> Flask:
    # static_folder=None: static files are served by routes/assets.py, which declares them public
    # like every other view (the access hook refuses views that declare nothing).
    app = Flask(__name__, static_folder=None)
    app.json = ApiJSONProvider(app)
    app.config.update(
        SECRET_KEY=secret_key(settings),
        SESSION_COOKIE_NAME="dialer_session",
        SESSION_COOKIE_HTTPONLY=True,
        # Lax: the cookie rides top-level navigations to us, never cross-site form posts.
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=settings.dashboard_secure_cookies,
        PERMANENT_SESSION_LIFETIME=timedelta(seconds=SESSION_IDLE_S),
        DIALER_SESSION_IDLE_S=SESSION_IDLE_S,
        DIALER_SESSION_MAX_AGE_S=SESSION_MAX_AGE_S,
        # Uploads (call lists) are bounded; Flask answers 413 past this.
        MAX_CONTENT_LENGTH=64 * 1024 * 1024,
        DIALER_SETTINGS=settings,
    )
    app.config.update(overrides or {})
    init_pool(app, services.database_url, DB_POOL_SIZE)
    app.extensions["dialer.redis"] = redis_client(services.redis_url)
    app.extensions["dialer.redis_url"] = services.redis_url  # the broker of preview dials
    app.extensions["dialer.login_throttle"] = LoginThrottle(app.extensions["dialer.redis"])
    init_auth(app)
    init_errors(app)
    init_navigation(app, register_blueprints(app))
    sweep_at_start(app)

    @app.after_request
    def _headers(response: Any) -> Any:
        # No framing (clickjacking), no MIME sniffing, and scripts only from ourselves.
        response.headers.setdefault("X-Frame-Options", "DENY")
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        response.headers.setdefault(
            "Content-Security-Policy",
            "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; "
            "frame-ancestors 'none'; form-action 'self'",
        )
        return response

    return app
