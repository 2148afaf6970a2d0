"""gunicorn's entry point: `gunicorn 'dashboard.wsgi:create_wsgi_app()'` (see `dialer dashboard`).

gunicorn calls this in each worker after the fork, so each worker gets its own pool. The
database and Redis URLs come from the environment, exported by `dialer dashboard` (which starts or
joins the embedded servers when they are unset).
"""

from __future__ import annotations

import logging

from flask import Flask

from dialer.bootstrap import ServiceUrls
from dialer.settings import SettingsError, load_settings


def create_wsgi_app() -> Flask:
    from dashboard.app import create_app

    settings = load_settings()
    if settings.database_url is None or settings.redis_url is None:
        raise SettingsError(
            "DATABASE_URL" if settings.database_url is None else "REDIS_URL",
            "unset; start the dashboard with `dialer dashboard`, which provides it",
        )
    logging.basicConfig(
        level=settings.log_level, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    return create_app(settings, ServiceUrls(settings.database_url, settings.redis_url))
