"""/api/v1/agent/preview: the preview card of an agent on a preview campaign (dialer.preview).

GET shows the contact the agent holds, claiming the next one when they are ready (the same claim
and compliance rules as automatic dialing); Dial hands it to a worker, which calls the customer
and bridges this agent; Skip gives it back and shows the next. A Dial that a rule forbids now
(DNC, calling hours, attempt cap) answers 409 with the reason, and the contact goes back. A card
held past the campaign's `preview_timeout_s` expires (the scheduler's sweep, or this Dial): the
contact goes back untouched, the agent is paused ("preview_expired") and Dial answers 409 saying so.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, current_app, jsonify, request
from flask.typing import ResponseReturnValue

from campaigns.errors import ValidationError
from campaigns.storage import screen_pop_query
from dashboard.access import login_required
from dashboard.api_schemas import json_object
from dashboard.console_schemas import screen_pop_json
from dashboard.db import RequestConnections, get_db
from dashboard.dial_sender import dial_sender
from dashboard.live_agents import acting_agent, now, ready_service
from dashboard.openapi import documented
from dialer.preview import PreviewService

blueprint = Blueprint("api_agent_preview", __name__, url_prefix="/api/v1/agent/preview")

# A skip reason is a short note on the attempt record, not a disposition.
SKIP_REASON_MAX = 80


def preview_service() -> PreviewService:
    return PreviewService(RequestConnections(current_app), ready_service(), dial_sender())


def _body() -> dict[str, Any]:
    return json_object() if request.get_data() else {}


def preview_answer(attempt_id: int | None) -> ResponseReturnValue:
    pop = screen_pop_query.screen_pop(get_db(), attempt_id) if attempt_id is not None else None
    return jsonify(
        {
            "attempt_id": attempt_id if pop is not None else None,
            "screen_pop": screen_pop_json(pop) if pop is not None else None,
        }
    )


@blueprint.get("")
@login_required
@documented(
    "The contact to preview",
    response="PreviewCard",
    description="The contact the agent holds for preview, or the next one claimed for them "
    "when they are ready on a running preview campaign (every compliance rule applies); "
    "`attempt_id` null when there is none. The agent stays reserved while they look, for at "
    "most the campaign's `preview_timeout_s`: then the contact goes back and the agent is "
    "paused (`preview_expired`).",
)
def show() -> ResponseReturnValue:
    agent = acting_agent(request.args)
    return preview_answer(preview_service().current(agent.id, now()))


@blueprint.post("/dial")
@login_required
@documented(
    "Dial the previewed contact",
    body="AgentActionInput",
    response="PreviewDialed",
    status=202,
    description="A worker calls the customer and bridges this agent. The rules are checked "
    "again at the click: when one forbids the call now, 409 says which and the contact goes "
    "back in line. A card held past the campaign's `preview_timeout_s` is never dialed: 409 "
    "says the preview expired (the contact went back, the agent is paused).",
    errors={
        409: "Nothing to dial, the preview expired, or a compliance rule forbids the call now "
        "(the reason)"
    },
)
def dial() -> ResponseReturnValue:
    agent = acting_agent(_body())
    dialed = preview_service().dial(agent.id, now())
    return jsonify({"attempt_id": dialed.attempt_id}), 202


@blueprint.post("/skip")
@login_required
@documented(
    "Skip the previewed contact",
    body="PreviewSkipInput",
    response="PreviewCard",
    description="The contact goes back untouched (no attempt counted; shown to nobody for 15 "
    "minutes) with the optional reason on the record; the answer is the next contact.",
    errors={409: "No previewed contact"},
)
def skip() -> ResponseReturnValue:
    body = _body()
    agent = acting_agent(body)
    reason = body.get("reason")
    if reason is not None and (not isinstance(reason, str) or len(reason) > SKIP_REASON_MAX):
        raise ValidationError([f"reason: a short text (at most {SKIP_REASON_MAX} characters)"])
    service = preview_service()
    service.skip(agent.id, (reason or "").strip() or None, now())
    return preview_answer(service.current(agent.id, now()))
