"""Errors to HTTP: the only place where campaigns' typed errors become status codes.

API paths answer JSON `{"error": ..., "message": ..., "problems": [...]}`; pages answer a
rendered error page. Page views that show a form catch ValidationError themselves to re-render it.
"""

from __future__ import annotations

import logging

import redis
from flask import Flask, jsonify, render_template
from flask.typing import ResponseReturnValue
from flask_wtf.csrf import CSRFError
from psycopg_pool import PoolTimeout
from werkzeug.exceptions import HTTPException

from campaigns.errors import Conflict, NotFound, ValidationError
from dashboard.auth import is_api_request
from dashboard.rate_limit import LoginThrottled

log = logging.getLogger(__name__)


def _answer(
    status: int, error: str, message: str, problems: list[str] | None = None
) -> ResponseReturnValue:
    if is_api_request():
        body: dict[str, object] = {"error": error, "message": message}
        if problems is not None:
            body["problems"] = problems
        return jsonify(body), status
    page = render_template(
        "error.html", status=status, error=error, message=message, problems=problems or []
    )
    return page, status


def init_errors(app: Flask) -> None:
    @app.errorhandler(ValidationError)
    def _invalid(error: ValidationError) -> ResponseReturnValue:
        return _answer(400, "validation_failed", "the request breaks a rule", error.problems)

    @app.errorhandler(NotFound)
    def _missing(error: NotFound) -> ResponseReturnValue:
        return _answer(404, "not_found", str(error))

    @app.errorhandler(Conflict)
    def _conflict(error: Conflict) -> ResponseReturnValue:
        return _answer(409, "conflict", str(error))

    @app.errorhandler(CSRFError)
    def _csrf(error: CSRFError) -> ResponseReturnValue:
        return _answer(400, "csrf_failed", error.description or "missing or bad CSRF token")

    @app.errorhandler(LoginThrottled)
    def _throttled(error: LoginThrottled) -> ResponseReturnValue:
        body, status = _answer(429, "too_many_attempts", str(error))  # type: ignore[misc]
        return body, status, {"Retry-After": str(error.retry_after_s)}

    @app.errorhandler(PoolTimeout)
    def _busy(error: PoolTimeout) -> ResponseReturnValue:
        log.warning("no database connection free: %s", error)
        return _answer(503, "busy", "the dashboard is busy; try again")

    @app.errorhandler(redis.RedisError)
    def _live_state_down(error: redis.RedisError) -> ResponseReturnValue:
        # Agent states, free lines and live calls live in Redis; what is stored in PostgreSQL is
        # untouched, so the answer says to retry rather than showing a bare 500.
        log.warning("Redis is not answering: %s", error)
        body, status = _answer(  # type: ignore[misc]
            503,
            "live_state_unavailable",
            "live state (Redis) is not answering; nothing stored was lost, try again shortly",
        )
        return body, status, {"Retry-After": "5"}

    @app.errorhandler(HTTPException)
    def _http(error: HTTPException) -> ResponseReturnValue:
        status = error.code or 500
        name = (error.name or "error").lower().replace(" ", "_")
        return _answer(status, name, error.description or "")
