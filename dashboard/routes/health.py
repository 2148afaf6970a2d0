"""/healthz: for load balancers and compose healthchecks; says whether the stores answer."""

from __future__ import annotations

import psycopg
import redis
from flask import Blueprint, current_app, jsonify
from flask.typing import ResponseReturnValue

from dashboard.access import public
from dashboard.db import get_db

blueprint = Blueprint("health", __name__)


@blueprint.get("/healthz")
@public
def healthz() -> ResponseReturnValue:
    checks = {"postgres": _postgres(), "redis": _redis()}
    healthy = all(checks.values())
    return jsonify(ok=healthy, **checks), 200 if healthy else 503


def _postgres() -> bool:
    try:
        get_db().execute("SELECT 1")
    except psycopg.Error:
        return False
    return True


def _redis() -> bool:
    client: redis.Redis = current_app.extensions["dialer.redis"]
    try:
        return bool(client.ping())
    except redis.RedisError:
        return False
