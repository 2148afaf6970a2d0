"""Sending a call action (hold, mute, DTMF, recording, transfer) to the process holding the
call, the same way for outbound attempts (routes/api/call_features) and inbound calls
(routes/api/inbound_work): the body checked against the campaign, then the command sent."""

from __future__ import annotations

from flask import jsonify
from flask.typing import ResponseReturnValue

from campaigns.agents import AgentState
from campaigns.campaign import RecordingMode
from campaigns.errors import ValidationError
from campaigns.storage import campaign_store, inbound_store
from campaigns.transfer_destinations import refusal
from dashboard.api_schemas import json_object
from dashboard.db import get_db
from dashboard.live_agents import agent_service, now, redis_client
from dialer import call_commands
from dialer.call_commands import (
    NEEDS_AGENT,
    NEEDS_DESTINATION,
    NEEDS_QUEUE,
    SUPERVISING,
    TRANSFERS,
    BadCommand,
    CallCommand,
    check_agent_id,
    check_destination,
    check_queue_id,
)

# A supervisor's listen/whisper/barge has its own route (dashboard.routes.api.supervision).
ACTIONS = tuple(
    c.value for c in CallCommand if c is not CallCommand.HANGUP and c not in SUPERVISING
)


def send_action(
    reference: int,
    campaign_id: int,
    requested_by: str,
    over: str | None,
    transfers: bool = True,
) -> ResponseReturnValue:
    """Check the body's action against the campaign and send it to the worker holding the call
    (`reference`: an attempt's id, or an inbound call's id negated); 202 once on its way.
    `over`: why the call takes no more actions (409), if it is over. `transfers=False`:
    transfer actions answer 409 (an inbound call is never transferred)."""
    body = json_object()
    action = body.get("action")
    if action not in ACTIONS:
        raise ValidationError([f"action: one of {', '.join(ACTIONS)}"])
    command = CallCommand(action)
    if over is not None:
        return _conflict(over)
    if not transfers and command in TRANSFERS:
        return _conflict("inbound calls are not transferred")
    spec = campaign_store.get_campaign(get_db(), campaign_id).spec
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
        if to_agent not in ready_agents(campaign_id):
            return _conflict(f"transfer refused: agent {to_agent} is not ready in this campaign")
    to_queue = None
    if command in NEEDS_QUEUE:
        to_queue = _queue_to_transfer_to(body.get("queue_id"))
        if not inbound_store.transfer_queues(get_db(), campaign_id, to_queue):
            return _conflict(
                f"transfer refused: queue {to_queue} is not one of this campaign's inbound "
                "queues with a number"
            )
    try:
        call_commands.send(
            redis_client(),
            reference,
            command,
            requested_by,
            now(),
            digits,
            destination,
            agent_id=to_agent,
            queue_id=to_queue,
        )
    except BadCommand as bad:
        raise ValidationError([f"digits: {bad}"]) from None
    return jsonify(attempt_id=reference, command=command.value), 202


def ready_agents(campaign_id: int) -> dict[int, str]:
    """Agents ready now and logged in to ``campaign_id`` (a transfer's choice): id -> name."""
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


def _queue_to_transfer_to(value: object) -> int:
    try:
        return check_queue_id(value)
    except BadCommand as bad:
        raise ValidationError([f"queue_id: {bad}"]) from None


def _destination(value: object) -> str:
    if not isinstance(value, str):
        raise ValidationError(["destination: the E.164 number to transfer the customer to"])
    try:
        return check_destination(value)
    except BadCommand as bad:
        raise ValidationError([f"destination: {bad}"]) from None


def _conflict(message: str) -> ResponseReturnValue:
    return jsonify(error="conflict", message=message), 409
