"""/api/v1/inbound-calls/<id>/...: what an agent does with an inbound call: see its screen pop
(the caller, the queue and number called, the time waited, and the caller's contact record when
the number is known) and record its disposition, as for an outbound attempt (attempt_work).

The agent's live state holds an inbound call under its id negated (docs/inbound.md); these URLs
take the call's own (positive) id. Agents may touch only calls they hold or took; another's
answers 404. Admins and supervisors may act on any call.
"""

from __future__ import annotations

from flask import Blueprint, abort, jsonify
from flask.typing import ResponseReturnValue

from campaigns.storage import screen_pop_query
from campaigns.users import Role
from dashboard.access import login_required
from dashboard.api_schemas import json_object
from dashboard.auth import current_user
from dashboard.console_schemas import (
    screen_pop_json,
)
from dashboard.db import get_db
from dashboard.disposition_answer import answer_disposition, disposing_agent
from dashboard.live_agents import acting_agent, agent_service, now
from dashboard.openapi import documented
from dialer.agents.dispositions import submit_inbound_disposition

blueprint = Blueprint("api_inbound_work", __name__, url_prefix="/api/v1/inbound-calls")

_NOT_FOUND = "no inbound call with id {} among your calls"


def _check_own(call_id: int) -> int | None:
    """404 unless the call exists and the user may see it; the agent's id for agents."""
    exists, recorded = screen_pop_query.inbound_agent(get_db(), call_id)
    if not exists:
        abort(404, _NOT_FOUND.format(call_id))
    user = current_user()
    if user is not None and user.role is not Role.AGENT:
        return None
    agent = acting_agent({})
    holds = agent_service().status(agent.id).attempt_id == -call_id
    if recorded != agent.id and not holds:
        abort(404, _NOT_FOUND.format(call_id))
    return agent.id


@blueprint.get("/<int:call_id>/screen-pop")
@login_required
@documented(
    "The screen pop of an inbound call",
    response="ScreenPop",
    description="As for an outbound call, plus `inbound`: the caller's number, the number "
    "called and its queue, when the call was offered and answered, and the seconds it waited. "
    "`contact` is the caller's record (custom fields, earlier calls in both directions) when "
    "their number is a contact of the queue's campaign; null for an unknown caller.",
)
def screen_pop(call_id: int) -> ResponseReturnValue:
    _check_own(call_id)
    pop = screen_pop_query.inbound_screen_pop(get_db(), call_id, now())
    if pop is None:
        abort(404, _NOT_FOUND.format(call_id))
    return jsonify(screen_pop_json(pop))


@blueprint.post("/<int:call_id>/disposition")
@login_required
@documented(
    "Record the disposition of an inbound call",
    body="AttemptDispositionInput",
    response="DispositionResult",
    description="The campaign's dispositions, applied as for an outbound call (a known caller's "
    "contact done, retried, called back, or the number put on the campaign's do-not-call "
    "list); a callback needs a caller known as a contact. Takes the agent out of wrap-up: "
    "ready, or paused with `pause_reason`. `attempt_id` in the answer is the call's id negated "
    "(the agent's call reference), `inbound_call_id` its id.",
    errors={409: "Already dispositioned, or the call is still being closed (retry: true)"},
)
def disposition(call_id: int) -> ResponseReturnValue:
    body = json_object()
    agent_id = disposing_agent(
        _check_own(call_id),
        body,
        lambda: screen_pop_query.inbound_agent(get_db(), call_id)[1],
    )
    return answer_disposition(
        submit_inbound_disposition, call_id, agent_id, body, _NOT_FOUND.format(call_id)
    )
