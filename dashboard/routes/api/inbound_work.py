"""/api/v1/inbound-calls/<id>/...: what an agent does with an inbound call: see its screen pop
(the caller, the queue and number called, the time waited, and the caller's contact record when
the number is known) and record its disposition, as for an outbound attempt (attempt_work).

The agent's live state holds an inbound call under its id negated (docs/inbound.md); these URLs
take the call's own (positive) id. Agents may touch only calls they hold or took; another's
answers 404 (and hang up or act on only the call they hold now). Admins and supervisors may act
on any call. Hang-up and call actions go to the inbound process holding the call as an
attempt's go to its worker (dialer.call_commands), under the call's id negated. The call's
recording is for supervisors and admins only, as an attempt's.
"""

from __future__ import annotations

from flask import Blueprint, abort, jsonify
from flask.typing import ResponseReturnValue

from campaigns.storage import inbound_store, recording_store, screen_pop_query
from campaigns.users import Role
from dashboard.access import login_required, managers
from dashboard.api_schemas import json_object
from dashboard.auth import current_user
from dashboard.call_action import send_action
from dashboard.console_schemas import (
    screen_pop_json,
)
from dashboard.db import get_db
from dashboard.disposition_answer import answer_disposition, disposing_agent
from dashboard.live_agents import acting_agent, agent_service, now, redis_client
from dashboard.openapi import documented
from dashboard.recording_download import send_recording
from dialer import call_commands
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


def _requester(call_id: int) -> str:
    """Who asks, for the process's log; 404 unless an agent holds this very call now."""
    user = current_user()
    assert user is not None
    if user.role is not Role.AGENT:
        return f"user {user.id}"
    agent = acting_agent({})
    if agent_service().status(agent.id).attempt_id != -call_id:
        abort(404, _NOT_FOUND.format(call_id))
    return f"agent {agent.id}"


def _live_call(call_id: int) -> tuple[int, str | None]:
    """The call's campaign, and why it takes no command if it does not (over)."""
    found = inbound_store.call_campaign(get_db(), call_id)
    if found is None or found[0] is None:
        abort(404, _NOT_FOUND.format(call_id))
    campaign_id, over = found
    return campaign_id, f"inbound call {call_id} is already over" if over else None


@blueprint.post("/<int:call_id>/hangup")
@login_required
@documented(
    "Hang up an inbound call",
    response="HangupRequested",
    status=202,
    description="Sent to the inbound process that holds the call, which hangs up the caller; "
    "the agent goes to wrap-up as usual. `attempt_id` in the answer is the call's id negated.",
    errors={409: "The call is already over"},
)
def hangup(call_id: int) -> ResponseReturnValue:
    _, over = _live_call(call_id)
    requested_by = _requester(call_id)
    if over is not None:
        return jsonify(error="conflict", message=over), 409
    call_commands.request_hangup(redis_client(), -call_id, requested_by)
    return jsonify(attempt_id=-call_id, command="hangup"), 202


@blueprint.post("/<int:call_id>/call-action")
@login_required
@documented(
    "Hold, resume, mute, unmute, send DTMF, start or stop recording on an inbound call",
    body="CallActionInput",
    response="CallActionRequested",
    status=202,
    description="As for an outbound call (the caller is the customer), carried out by the "
    "inbound process that holds the call; recording follows the queue's campaign's setting. "
    "Transfers are refused (409). `attempt_id` in the answer is the call's id negated.",
    errors={409: "The call is over, the campaign's recording setting refuses it, or a transfer"},
)
def call_action(call_id: int) -> ResponseReturnValue:
    campaign_id, over = _live_call(call_id)
    return send_action(-call_id, campaign_id, _requester(call_id), over, transfers=False)


@blueprint.get("/<int:call_id>/recording")
@managers
@documented(
    "The recording of an inbound call (WAV)",
    response="RecordingAudio",
    media_type="audio/wav",
    description="As for an outbound call: supervisors and admins only, `?download=1` saves it "
    "as a file, 404 when the call has no recording, 410 when its campaign's retention period "
    "has deleted it.",
    errors={410: "Deleted at the end of the retention period"},
)
def recording(call_id: int) -> ResponseReturnValue:
    return send_recording(
        recording_store.inbound_recording_of(get_db(), call_id),
        f"inbound call {call_id}",
        f"inbound-call-{call_id}.wav",
    )
