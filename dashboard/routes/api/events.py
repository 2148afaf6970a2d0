"""/api/v1/events: the live events as server-sent events (the console's and the wallboard's push).

The response streams after the view has returned, outside the request: the generator gets
everything it needs (the Redis client, what the user may see) up front and touches neither
`g` nor the database, whose connection went back to the pool when the view returned.
"""

from __future__ import annotations

from flask import Blueprint, Response, abort, current_app, request
from flask.typing import ResponseReturnValue

from campaigns.errors import ValidationError
from campaigns.users import Role
from dashboard.access import login_required
from dashboard.auth import current_user
from dashboard.event_stream import MAX_AGE_S, Viewer, stream, valid_start
from dashboard.live_agents import own_agent_or_none, redis_client
from dashboard.openapi import Param, documented
from dashboard.params import optional_int

blueprint = Blueprint("api_events", __name__, url_prefix="/api/v1")

# One blocking read at most this long: the keep-alive interval. Under the Redis client's socket
# timeout (dialer.bootstrap), so a quiet stream never looks like a dead Redis.
BLOCK_MS = 5000


@blueprint.get("/events")
@login_required
@documented(
    "Live events (server-sent events)",
    query=[
        Param(
            "campaign_id",
            "Managers: only this campaign's agents and calls.",
            {"type": "integer"},
        ),
        Param(
            "last_event_id",
            "Read on after this id (as the Last-Event-ID header does; browsers send that one "
            "by themselves when they reconnect). Absent: only new events; 0: the recent past.",
        ),
    ],
    response="EventStream",
    media_type="text/event-stream",
    description="Agents receive only their own state changes and calls; admins and "
    "supervisors receive everything. The stream closes after a few minutes; reconnect with "
    "Last-Event-ID to read on without a gap.",
)
def events() -> ResponseReturnValue:
    user = current_user()
    assert user is not None
    campaign_id = optional_int(request.args, "campaign_id")
    if user.role is Role.AGENT:
        agent = own_agent_or_none()
        if agent is None:
            abort(403, "this login has no agent profile")
        viewer = Viewer(agent_id=agent.id, campaign_id=campaign_id)
    else:
        viewer = Viewer(campaign_id=campaign_id)
    asked = request.headers.get("Last-Event-ID") or request.args.get("last_event_id")
    start = valid_start(asked)
    if asked is not None and start is None:
        raise ValidationError(["Last-Event-ID: a stream id such as 1700000000000-0"])
    block_ms = int(current_app.config.get("DIALER_SSE_BLOCK_MS", BLOCK_MS))
    max_age_s = float(current_app.config.get("DIALER_SSE_MAX_AGE_S", MAX_AGE_S))
    body = stream(redis_client(), viewer, start or "$", block_ms, max_age_s)
    return Response(
        body,
        mimetype="text/event-stream",
        headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"},
    )
