"""Answering a disposition request, the same way for outbound attempts (routes/api/attempt_work)
and inbound calls (routes/api/inbound_work): who disposes, the submit, and its errors as HTTP."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any, Protocol

from flask import abort, jsonify
from flask.typing import ResponseReturnValue

from campaigns.disposition_outcome import AttemptStillOpen, CallbackOutsideWindow, NotYourAttempt
from campaigns.errors import ValidationError
from dashboard.console_schemas import disposition_json, outside_window_json, still_open_json
from dashboard.disposition_input import disposition_input
from dashboard.live_agents import acting_agent, now, ready_service
from dialer.agents.dispositions import DispositionDone
from dialer.agents.service import AgentService


class Submit(Protocol):
    def __call__(
        self,
        agents: AgentService,
        call_id: int,
        agent_id: int,
        code: str,
        now: datetime,
        /,
        *,
        notes: str,
        callback_at: datetime | None,
        callback_for_me: bool,
        move_callback_into_window: bool,
        pause_reason: str | None,
    ) -> DispositionDone: ...


def disposing_agent(
    own: int | None, body: dict[str, Any], recorded_agent: Callable[[], int | None]
) -> int:
    """Agents: themselves (`own`, already checked). Managers: `agent_id`, else the call's agent."""
    if own is not None:
        return own
    if body.get("agent_id") is not None:
        return acting_agent(body).id
    recorded = recorded_agent()
    if recorded is None:
        raise ValidationError(["agent_id: the call has no agent yet; name the agent"])
    return recorded


def answer_disposition(
    submit: Submit, call_id: int, agent_id: int, body: dict[str, Any], not_found: str
) -> ResponseReturnValue:
    asked = disposition_input(body)
    try:
        done = submit(
            ready_service(),
            call_id,
            agent_id,
            asked.code,
            now(),
            notes=asked.notes,
            callback_at=asked.callback_at,
            callback_for_me=asked.callback_for_me,
            move_callback_into_window=asked.move_callback_into_window,
            pause_reason=asked.pause_reason,
        )
    except NotYourAttempt:
        abort(404, not_found)
    except AttemptStillOpen as still_open:
        return jsonify(still_open_json(str(still_open))), 409, {"Retry-After": "1"}
    except CallbackOutsideWindow as outside:
        return jsonify(outside_window_json(outside)), 400
    return jsonify(disposition_json(done))
