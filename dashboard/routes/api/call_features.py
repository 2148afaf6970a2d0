"""/api/v1/attempts/<id>/call-action and /recording: hold, mute, DTMF, recording, transfer,
three-way call; the recording.

An action is sent to the worker holding the call (dialer.call_commands), which carries it out
on its legs; the answer is 202 once it is on its way. An agent acts only on the call they are on
now (their live state names it): any other call answers 404, its existence unconfirmed.
Supervisors and admins may act on any live call. Recordings are for supervisors and admins:
agents get 403, even for their own calls.
"""

from __future__ import annotations

from flask import Blueprint, abort, current_app, jsonify, request, send_file
from flask.typing import ResponseReturnValue

from campaigns.agents import AgentState
from campaigns.attempt import AttemptState
from campaigns.campaign import RecordingMode
from campaigns.errors import ValidationError
from campaigns.storage import attempt_query, campaign_store, recording_store
from campaigns.transfer_destinations import refusal
from campaigns.users import Role
from dashboard.access import login_required, managers
from dashboard.api_schemas import json_object
from dashboard.auth import current_user
from dashboard.db import get_db
from dashboard.live_agents import acting_agent, agent_service, now, redis_client
from dashboard.openapi import documented
from dialer import call_commands
from dialer.call_commands import (
    NEEDS_AGENT,
    NEEDS_DESTINATION,
    SUPERVISING,
    BadCommand,
    CallCommand,
    check_agent_id,
    check_destination,
)
from dialer.recordings import recording_file
from dialer.settings import Settings

blueprint = Blueprint("api_call_features", __name__, url_prefix="/api/v1/attempts")

# A supervisor's listen/whisper/barge has its own route (dashboard.routes.api.supervision).
ACTIONS = tuple(
    c.value for c in CallCommand if c is not CallCommand.HANGUP and c not in SUPERVISING
)
_NOT_FOUND = "no call attempt with id {} among your calls"


def _requester(attempt_id: int) -> str:
    """Who asks, for the worker's log; 404 for a call that is not the agent's live call."""
    user = current_user()
    assert user is not None
    if user.role is not Role.AGENT:
        return f"user {user.id}"
    agent = acting_agent({})
    if agent_service().status(agent.id).attempt_id != attempt_id:
        abort(404, _NOT_FOUND.format(attempt_id))
    return f"agent {agent.id}"


@blueprint.post("/<int:attempt_id>/call-action")
@login_required
@documented(
    "Hold, resume, mute, unmute, send DTMF, start or stop recording, transfer, three-way call",
    body="CallActionInput",
    response="CallActionRequested",
    status=202,
    description="Sent to the worker that holds the call. Hold: the customer hears music and "
    "the agent nothing; resume: both hear each other again. Mute: the customer stops hearing "
    "the agent. DTMF (`digits`: 0-9 * # A-D, at most 32) goes to the customer as RFC 2833 "
    "events. Recording follows the campaign's setting: `never` refuses record_start (409), "
    "`always` records every connected call from the start and refuses record_stop (409). "
    "Transfer (`destination`: E.164) is blind, to an external number through the campaign's "
    "trunk; consult (`destination`) is warm: the agent talks with the third party first, "
    "then transfer_complete hands the customer over or transfer_cancel gives them back. "
    "Conference (`destination`) adds the number to the call: the customer hears music while "
    "it rings, then all three hear each other; conference_leave lets the agent go (the "
    "customer and the number stay connected, the agent goes to wrap-up) and conference_drop "
    "hangs up the number (the agent goes on with the customer); conference_merge, while "
    "consulting, makes the consultation a three-way call. Transfer_agent and consult_agent "
    "(`to_agent_id`) pass the customer to another agent ready in the call's campaign, blind "
    "or warm (then transfer_complete or transfer_cancel): once that agent answers, the call "
    "and its disposition are theirs and you go to wrap-up without one; if they do not answer "
    "or are no longer ready the customer is back with you, and you are told why (409 when "
    "they are not ready now). A "
    "destination not on the campaign's `transfer_destinations` is refused (409, "
    "toll fraud); the worker may still refuse it when it has no free line for the third "
    "party, and tells the agent (a `call_notice` event) what became of it.",
    errors={
        409: "The call is over, the campaign's recording setting refuses it, the "
        "transfer destination is not allowed, or the agent to transfer to is not ready"
    },
)
def call_action(attempt_id: int) -> ResponseReturnValue:
    attempt = attempt_query.get_attempt(get_db(), attempt_id)
    if attempt is None:
        abort(404, _NOT_FOUND.format(attempt_id))
    requested_by = _requester(attempt_id)
    body = json_object()
    action = body.get("action")
    if action not in ACTIONS:
        raise ValidationError([f"action: one of {', '.join(ACTIONS)}"])
    command = CallCommand(action)
    if attempt.state == AttemptState.ENDED:
        return _conflict(f"call {attempt_id} is already over")
    spec = campaign_store.get_campaign(get_db(), attempt.campaign_id).spec
    mode = spec.recording
    if command is CallCommand.RECORD_START and mode is RecordingMode.NEVER:
        return _conflict("this campaign never records calls")
    if command is CallCommand.RECORD_STOP and mode is RecordingMode.ALWAYS:
        return _conflict("this campaign records every call in full")
    digits = body.get("digits", "")
    if command is CallCommand.DTMF and not isinstance(digits, str):
        raise ValidationError(["digits: a string of 0-9 * # A-D"])
    destination = ""
    if command in NEEDS_DESTINATION:
        destination = _destination(body.get("destination"))
        why = refusal(spec.transfer_destinations, destination)
        if why is not None:
            return _conflict(f"transfer refused: {why}")
    to_agent = None
    if command in NEEDS_AGENT:
        to_agent = _agent_to_transfer_to(body.get("to_agent_id"))
        if to_agent not in _ready_agents(attempt.campaign_id):
            return _conflict(f"transfer refused: agent {to_agent} is not ready in this campaign")
    try:
        call_commands.send(
            redis_client(),
            attempt_id,
            command,
            requested_by,
            now(),
            digits,
            destination,
            agent_id=to_agent,
        )
    except BadCommand as bad:
        raise ValidationError([f"digits: {bad}"]) from None
    return jsonify(attempt_id=attempt_id, command=command.value), 202


@blueprint.get("/<int:attempt_id>/transfer-agents")
@login_required
@documented(
    "The agents the call can be transferred to",
    response="TransferAgents",
    description="Agents ready and logged in to the call's campaign, by name: "
    "the console's picker for transfer_agent and consult_agent.",
)
def transfer_agents(attempt_id: int) -> ResponseReturnValue:
    attempt = attempt_query.get_attempt(get_db(), attempt_id)
    if attempt is None:
        abort(404, _NOT_FOUND.format(attempt_id))
    _requester(attempt_id)
    ready = _ready_agents(attempt.campaign_id)  # the agent on the call is not ready: not in it
    agents = [
        {"agent_id": agent_id, "display_name": name}
        for agent_id, name in sorted(ready.items(), key=lambda item: item[1])
    ]
    return jsonify(agents=agents)


def _ready_agents(campaign_id: int) -> dict[int, str]:
    """Agents ready now and logged in to ``campaign_id``: id -> display name."""
    return {
        profile.agent_id: profile.display_name
        for profile, status in agent_service().live.logged_in()
        if status.state is AgentState.READY and campaign_id in status.campaigns
    }


def _agent_to_transfer_to(value: object) -> int:
    try:
        return check_agent_id(value)
    except BadCommand as bad:
        raise ValidationError([f"to_agent_id: {bad}"]) from None


def _destination(value: object) -> str:
    if not isinstance(value, str):
        raise ValidationError(["destination: the E.164 number to transfer the customer to"])
    try:
        return check_destination(value)
    except BadCommand as bad:
        raise ValidationError([f"destination: {bad}"]) from None


def _conflict(message: str) -> ResponseReturnValue:
    return jsonify(error="conflict", message=message), 409


@blueprint.get("/<int:attempt_id>/recording")
@managers
@documented(
    "The recording of a call (WAV)",
    response="RecordingAudio",
    media_type="audio/wav",
    description="Supervisors and admins only. `?download=1` saves it as a file. 404 when the "
    "call has no recording; 410 when its campaign's retention period has deleted it.",
    errors={410: "Deleted at the end of the retention period"},
)
def recording(attempt_id: int) -> ResponseReturnValue:
    found = recording_store.recording_of(get_db(), attempt_id)
    if found is None:
        abort(404, f"call attempt {attempt_id} has no recording")
    if found.deleted_at is not None:
        abort(410, f"the recording was deleted on {found.deleted_at:%Y-%m-%d} (retention)")
    settings: Settings = current_app.config["DIALER_SETTINGS"]
    path = recording_file(settings.data_dir, found.path)
    if path is None or not path.exists():
        abort(404, f"the recording of call attempt {attempt_id} is not on this server")
    return send_file(
        path,
        mimetype="audio/wav",
        as_attachment=request.args.get("download") in {"1", "true"},
        download_name=f"call-{attempt_id}.wav",
        conditional=True,  # range requests: the audio element seeks
    )
