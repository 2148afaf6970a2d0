"""/api/v1/attempts/<id>/call-action and /recording: hold, mute, DTMF, recording, transfer,
three-way call; the recording.

An action is sent to the worker holding the call (dialer.call_commands), which carries it out
on its legs; the answer is 202 once it is on its way. An agent acts only on the call they are on
now (their live state names it): any other call answers 404, its existence unconfirmed.
Supervisors and admins may act on any live call. Recordings are for supervisors and admins:
agents get 403, even for their own calls.
"""

from __future__ import annotations

from flask import Blueprint, abort, jsonify
from flask.typing import ResponseReturnValue

from campaigns.attempt import AttemptState
from campaigns.storage import attempt_query, inbound_store, recording_store
from campaigns.users import Role
from dashboard.access import login_required, managers
from dashboard.auth import current_user
from dashboard.call_action import ready_agents, send_action
from dashboard.db import get_db
from dashboard.live_agents import acting_agent, agent_service
from dashboard.openapi import documented
from dashboard.recording_download import send_recording

blueprint = Blueprint("api_call_features", __name__, url_prefix="/api/v1/attempts")

_NOT_FOUND = "no call attempt with id {} among your calls"


def _requester(attempt_id: int, call_agent_id: int | None = None) -> str:
    """Who asks, for the worker's log; 404 for a call that is not the agent's live call, 409
    for an agent added to another agent's call (three-way, or rung for a transfer): the
    call's actions act on its agent's legs, so they are that agent's alone."""
    user = current_user()
    assert user is not None
    if user.role is not Role.AGENT:
        return f"user {user.id}"
    agent = acting_agent({})
    if agent_service().status(agent.id).attempt_id != attempt_id:
        abort(404, _NOT_FOUND.format(attempt_id))
    if call_agent_id is not None and call_agent_id != agent.id:
        abort(409, "you were added to another agent's call: hang up your phone to leave it")
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
    "consulting, makes the consultation a three-way call. Conference_agent (`to_agent_id`) "
    "adds another agent ready in the call's campaign: their console shows the call, all three "
    "hear each other; conference_leave makes the call theirs (disposition included) and "
    "conference_drop sends them to wrap-up without a disposition (End wrap-up). An agent added "
    "to a call cannot act on it (409). Transfer_agent and consult_agent "
    "(`to_agent_id`) pass the customer to another agent ready in the call's campaign, blind "
    "or warm (then transfer_complete or transfer_cancel): once that agent answers, the call "
    "and its disposition are theirs and you go to wrap-up without one; if they do not answer "
    "or are no longer ready the customer is back with you, and you are told why (409 when "
    "they are not ready now). Transfer_queue (`queue_id`, one of the campaign's inbound "
    "queues) passes the customer, blind, to that queue: they wait there as an inbound caller "
    "for its agents, you go to wrap-up and record the attempt's disposition; a full or "
    "unreachable queue gives them back to you (409 for a queue not of this campaign). A "
    "destination not on the campaign's `transfer_destinations` is refused (409, "
    "toll fraud); the worker may still refuse it when it has no free line for the third "
    "party, and tells the agent (a `call_notice` event) what became of it.",
    errors={
        409: "The call is over, the campaign's recording setting refuses it, the "
        "transfer destination is not allowed, the agent to transfer to is not ready, the "
        "queue is not one of the campaign's, or you were added to another agent's call"
    },
)
def call_action(attempt_id: int) -> ResponseReturnValue:
    attempt = attempt_query.get_attempt(get_db(), attempt_id)
    if attempt is None:
        abort(404, _NOT_FOUND.format(attempt_id))
    requested_by = _requester(attempt_id, attempt.agent_id)
    over = f"call {attempt_id} is already over" if attempt.state == AttemptState.ENDED else None
    return send_action(attempt_id, attempt.campaign_id, requested_by, over)


@blueprint.get("/<int:attempt_id>/transfer-agents")
@login_required
@documented(
    "The agents the call can be transferred to",
    response="TransferAgents",
    description="Agents ready and logged in to the call's campaign, by name: "
    "the console's picker for transfer_agent, consult_agent and conference_agent.",
)
def transfer_agents(attempt_id: int) -> ResponseReturnValue:
    attempt = attempt_query.get_attempt(get_db(), attempt_id)
    if attempt is None:
        abort(404, _NOT_FOUND.format(attempt_id))
    _requester(attempt_id)
    ready = ready_agents(attempt.campaign_id)  # the agent on the call is not ready: not in it
    agents = [
        {"agent_id": agent_id, "display_name": name}
        for agent_id, name in sorted(ready.items(), key=lambda item: item[1])
    ]
    return jsonify(agents=agents)


@blueprint.get("/<int:attempt_id>/transfer-queues")
@login_required
@documented(
    "The inbound queues the call can be transferred to",
    response="TransferQueues",
    description="The call's campaign's inbound queues that have a number, by name: the "
    "console's picker for transfer_queue. The customer is queued there as an inbound caller "
    "(music, place announcements, the queue's agents, its overflow).",
)
def transfer_queues(attempt_id: int) -> ResponseReturnValue:
    attempt = attempt_query.get_attempt(get_db(), attempt_id)
    if attempt is None:
        abort(404, _NOT_FOUND.format(attempt_id))
    _requester(attempt_id)
    queues = [
        {"queue_id": q.queue_id, "name": q.name, "did": q.did}
        for q in inbound_store.transfer_queues(get_db(), attempt.campaign_id)
    ]
    return jsonify(queues=queues)


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
    return send_recording(
        recording_store.recording_of(get_db(), attempt_id),
        f"call attempt {attempt_id}",
        f"call-{attempt_id}.wav",
    )
