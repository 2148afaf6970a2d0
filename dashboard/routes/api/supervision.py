"""/api/v1/attempts/<id>/supervise: a supervisor listens in to a call, whispers to the agent
or barges in, through their own softphone, and leaves again.

The command goes to the worker holding the call (dialer.call_commands), which rings the
supervisor's softphone into the call (dialer.call_supervision); the answer is 202 once it is on
its way. The phone rung is the one an admin set for the signed-in user (`dialer user phone`),
never one named in the request: the dashboard cannot be used to make a worker call anywhere.
What became of it (ringing, no free line, another supervisor already on) comes back as a
`call_notice` event with no agent id, which only supervisors' streams carry.
"""

from __future__ import annotations

from flask import Blueprint, abort, jsonify
from flask.typing import ResponseReturnValue

from campaigns.attempt import AttemptState
from campaigns.errors import ValidationError
from campaigns.storage import attempt_query, user_store
from dashboard.access import managers
from dashboard.api_schemas import json_object
from dashboard.auth import current_user
from dashboard.db import get_db
from dashboard.live_agents import now, redis_client
from dashboard.openapi import documented
from dialer import call_commands
from dialer.call_commands import CallCommand

blueprint = Blueprint("api_supervision", __name__, url_prefix="/api/v1/attempts")

MODES = {
    "listen": CallCommand.LISTEN,
    "whisper": CallCommand.WHISPER,
    "barge": CallCommand.BARGE,
    "leave": CallCommand.SUPERVISE_LEAVE,
}


@blueprint.post("/<int:attempt_id>/supervise")
@managers
@documented(
    "Listen in to a call, whisper to its agent, barge in, or leave",
    body="SuperviseInput",
    response="SuperviseRequested",
    status=202,
    description="Supervisors and admins. The worker holding the call rings your softphone "
    "(set by an admin: `dialer user phone USERNAME SIP_URI`) into the call. listen: you hear "
    "the customer and the agent, nobody hears you; whisper: the agent hears you too, the "
    "customer does not; barge: everyone hears everyone. Send another mode to switch while on "
    "the call, leave (or hang up your phone) to go: the customer and the agent are not "
    "disturbed either way. Your phone is one more line on the worker: with none free, or with "
    "another supervisor already on the call, the worker refuses and says so in a "
    "`call_notice` event for supervisors (no agent_id); the call goes on untouched.",
    errors={409: "The call is over or not with an agent, or you have no softphone set"},
)
def supervise(attempt_id: int) -> ResponseReturnValue:
    user = current_user()
    assert user is not None
    attempt = attempt_query.get_attempt(get_db(), attempt_id)
    if attempt is None:
        abort(404, f"no call attempt with id {attempt_id}")
    mode = json_object().get("mode")
    if mode not in MODES:
        raise ValidationError([f"mode: one of {', '.join(MODES)}"])
    command = MODES[mode]
    if attempt.state == AttemptState.ENDED:
        return _conflict(f"call {attempt_id} is already over")
    phone = ""
    if command is not CallCommand.SUPERVISE_LEAVE:
        if attempt.state != AttemptState.CONNECTED:
            return _conflict(f"call {attempt_id} is not with an agent yet")
        phone = user_store.phone_of(get_db(), user.id) or ""
        if not phone:
            return _conflict(
                f"{user.username} has no softphone set: an admin sets it with "
                f"`dialer user phone {user.username} sip:...`"
            )
    call_commands.send(redis_client(), attempt_id, command, f"user {user.id}", now(), phone=phone)
    return jsonify(attempt_id=attempt_id, command=command.value, phone=phone), 202


def _conflict(message: str) -> ResponseReturnValue:
    return jsonify(error="conflict", message=message), 409
