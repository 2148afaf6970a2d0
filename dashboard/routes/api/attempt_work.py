"""/api/v1/attempts/<id>/...: what an agent does with a call: see the screen pop, hang up,
record the disposition.

Agents may touch only calls they hold (live state) or took (the attempt row names them);
another agent's call answers 404, as in /api/v1/attempts, so its existence is not confirmed.
Admins and supervisors may act on any call; a disposition they submit is recorded for the
call's agent.
"""

from __future__ import annotations

from flask import Blueprint, abort, jsonify
from flask.typing import ResponseReturnValue

from campaigns.attempt import AttemptState
from campaigns.disposition_outcome import NotYourAttempt
from campaigns.storage import attempt_query, screen_pop_query
from campaigns.users import Role
from dashboard.access import login_required
from dashboard.api_schemas import json_object
from dashboard.auth import current_user
from dashboard.console_schemas import (
    screen_pop_json,
)
from dashboard.db import get_db
from dashboard.disposition_answer import answer_disposition, disposing_agent
from dashboard.live_agents import acting_agent, agent_service, now, redis_client
from dashboard.openapi import documented
from dialer import call_commands
from dialer.agents.dispositions import end_wrap_up_after_transfer, submit_disposition
from dialer.agents.errors import NotHoldingAttempt

blueprint = Blueprint("api_attempt_work", __name__, url_prefix="/api/v1/attempts")

_NOT_FOUND = "no call attempt with id {} among your calls"
_OPEN_STATES = frozenset(s for s in AttemptState if s is not AttemptState.ENDED)


def _is_manager() -> bool:
    user = current_user()
    return user is not None and user.role is not Role.AGENT


def _check_own(attempt_id: int) -> int | None:
    """404 unless the attempt exists and the user may see it; the agent's id for agents."""
    exists, recorded = screen_pop_query.attempt_agent(get_db(), attempt_id)
    if not exists:
        abort(404, _NOT_FOUND.format(attempt_id))
    if _is_manager():
        return None
    agent = acting_agent({})
    holds = agent_service().status(agent.id).attempt_id == attempt_id
    if recorded != agent.id and not holds:
        abort(404, _NOT_FOUND.format(attempt_id))
    return agent.id


@blueprint.get("/<int:attempt_id>/screen-pop")
@login_required
@documented(
    "The screen pop of a call",
    response="ScreenPop",
    description="The contact's fields from the list (custom fields included), the contact's "
    "earlier attempts with dispositions and notes, and the campaign's dispositions.",
)
def screen_pop(attempt_id: int) -> ResponseReturnValue:
    _check_own(attempt_id)
    pop = screen_pop_query.screen_pop(get_db(), attempt_id)
    if pop is None:
        abort(404, _NOT_FOUND.format(attempt_id))
    return jsonify(screen_pop_json(pop))


@blueprint.post("/<int:attempt_id>/hangup")
@login_required
@documented(
    "Hang up a call",
    response="HangupRequested",
    status=202,
    description="Sent to the worker that holds the call, which hangs up the customer; the call "
    "then ends as usual (a call_ended event, the agent in wrap-up).",
    errors={409: "The call is already over, or you were added to another agent's call"},
)
def hangup(attempt_id: int) -> ResponseReturnValue:
    own = _check_own(attempt_id)
    attempt = attempt_query.get_attempt(get_db(), attempt_id)
    assert attempt is not None
    if attempt.state not in _OPEN_STATES:
        return jsonify(error="conflict", message=f"call {attempt_id} is already over"), 409
    if own is not None and attempt.agent_id is not None and attempt.agent_id != own:
        # Added to another agent's three-way call: the customer is not theirs to hang up.
        message = "you were added to another agent's call: hang up your phone to leave it"
        return jsonify(error="conflict", message=message), 409
    requested_by = f"agent {own}" if own is not None else f"user {_user_id()}"
    call_commands.request_hangup(redis_client(), attempt_id, requested_by)
    return jsonify(attempt_id=attempt_id, command="hangup"), 202


def _user_id() -> int:
    user = current_user()
    assert user is not None
    return user.id


@blueprint.post("/<int:attempt_id>/disposition")
@login_required
@documented(
    "Record the disposition of a call",
    body="AttemptDispositionInput",
    response="DispositionResult",
    description="Applies the disposition (the contact done, retried, called back or put on the "
    "campaign's do-not-call list) and takes the agent out of wrap-up: ready, or paused with "
    "`pause_reason`. A callback outside the calling hours answers 400 with the zones, their "
    "local times and the `earliest` allowed time, unless `move_callback_into_window`.",
    errors={409: "Already dispositioned, or the call is still being closed (retry: true)"},
)
def disposition(attempt_id: int) -> ResponseReturnValue:
    body = json_object()
    agent_id = disposing_agent(
        _check_own(attempt_id),
        body,
        lambda: screen_pop_query.attempt_agent(get_db(), attempt_id)[1],
    )
    return answer_disposition(
        submit_disposition, attempt_id, agent_id, body, _NOT_FOUND.format(attempt_id)
    )


@blueprint.post("/<int:attempt_id>/wrap-up-end")
@login_required
@documented(
    "End the wrap-up of a call whose disposition is another agent's",
    response="WrapUpEnded",
    description="The agent who answered your transfer_agent or consult_agent (or took over "
    "the three-way call you left) has the call and records its disposition; so does the agent "
    "who added you to their three-way call. You leave wrap-up without one (ready, or the pause "
    "you asked for). Agents only, for the call they hold in wrap-up.",
    errors={409: "The call was not passed on to another agent: record its disposition"},
)
def wrap_up_end(attempt_id: int) -> ResponseReturnValue:
    agent_id = _check_own(attempt_id)
    if agent_id is None:
        abort(403, "only the agent who transferred the call ends their wrap-up")
    try:
        after = end_wrap_up_after_transfer(agent_service(), attempt_id, agent_id, now())
    except NotYourAttempt as not_passed:
        return jsonify(error="conflict", message=str(not_passed)), 409
    except NotHoldingAttempt:
        return jsonify(error="conflict", message="you are not in wrap-up with this call"), 409
    return jsonify(attempt_id=attempt_id, state=after.state.value)
