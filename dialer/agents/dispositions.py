"""The end of a call as the agent records it: the disposition, its effect on the contact, and
the agent's way out of wrap-up. One entry point for the dashboard's console, its JSON API (the
robots' softphones) and the CLI; inbound calls (submit_inbound_disposition) go the same way, the
agent's live state holding them under their id negated (docs/inbound.md)."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from campaigns.disposition_outcome import CallbackRequest, NotYourAttempt
from campaigns.storage.attempt_disposition_store import (
    DispositionRecorded,
    passed_to_another_agent,
    record_disposition,
)
from campaigns.storage.db import Connection
from campaigns.storage.inbound_disposition_store import record_inbound_disposition
from dialer.agents.errors import NotHoldingAttempt
from dialer.agents.model import LiveStatus
from dialer.agents.service import AgentService

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class DispositionDone:
    recorded: DispositionRecorded
    # The agent afterwards: ready, or paused when asked (or still busy with a later call).
    agent: LiveStatus


def submit_disposition(
    agents: AgentService,
    attempt_id: int,
    agent_id: int,
    code: str,
    now: datetime,
    notes: str = "",
    callback_at: datetime | None = None,
    callback_for_me: bool = False,
    move_callback_into_window: bool = False,
    pause_reason: str | None = None,
) -> DispositionDone:
    """Record `code` (a disposition of the call's campaign) for the agent's own call and apply
    it; then the agent leaves wrap-up for ready, or for `pause_reason`.

    Raises NotFound, NotYourAttempt, AttemptStillOpen (the worker is still closing the call),
    Conflict (already dispositioned), ValidationError (unknown code, bad callback time) or
    CallbackOutsideWindow (its `earliest` says when the callback could be).

    A disposition after the wrap-up limit (the agent is ready, maybe on another call) is still
    recorded; only the asked pause is then applied as a plain pause.
    """
    return _submit(
        agents,
        attempt_id,
        agent_id,
        lambda conn, callback, holds: record_disposition(
            conn, attempt_id, agent_id, code, notes, callback, now, agent_holds_call=holds
        ),
        _callback(agent_id, callback_at, callback_for_me, move_callback_into_window),
        now,
        pause_reason,
    )


def end_wrap_up_after_transfer(
    agents: AgentService, attempt_id: int, agent_id: int, now: datetime
) -> LiveStatus:
    """The agent transferred the call to another agent, who took it and owns its disposition:
    leave wrap-up without one (ready, or the pause asked for meanwhile). NotYourAttempt when
    the call did not go to another agent (its disposition is this agent's to submit)."""
    with agents.db.connection() as conn:
        if not passed_to_another_agent(conn, attempt_id, agent_id):
            raise NotYourAttempt(f"attempt {attempt_id} was not passed on to another agent")
    return agents.finish_wrap_up(agent_id, attempt_id, now)


def submit_inbound_disposition(
    agents: AgentService,
    call_id: int,
    agent_id: int,
    code: str,
    now: datetime,
    notes: str = "",
    callback_at: datetime | None = None,
    callback_for_me: bool = False,
    move_callback_into_window: bool = False,
    pause_reason: str | None = None,
) -> DispositionDone:
    """submit_disposition for inbound call `call_id`: same codes (the queue's campaign's), same
    errors, same way out of wrap-up; a callback needs a caller known as a contact."""
    return _submit(
        agents,
        -call_id,
        agent_id,
        lambda conn, callback, holds: record_inbound_disposition(
            conn, call_id, agent_id, code, notes, callback, now, agent_holds_call=holds
        ),
        _callback(agent_id, callback_at, callback_for_me, move_callback_into_window),
        now,
        pause_reason,
    )


def _callback(
    agent_id: int, at: datetime | None, for_me: bool, move_into_window: bool
) -> CallbackRequest:
    return CallbackRequest(
        at=at, for_agent_id=agent_id if for_me else None, move_into_window=move_into_window
    )


def _submit(
    agents: AgentService,
    reference: int,
    agent_id: int,
    record: Callable[[Connection, CallbackRequest, bool], DispositionRecorded],
    callback: CallbackRequest,
    now: datetime,
    pause_reason: str | None,
) -> DispositionDone:
    """`reference`: the call as the agent's live state holds it (an inbound call negated)."""
    holds = agents.status(agent_id).attempt_id == reference
    if pause_reason is not None:
        agents.check_pause_reason(pause_reason)
    with agents.db.connection() as conn:
        recorded = record(conn, callback, holds)
    return _leave_wrap_up(agents, reference, agent_id, recorded, holds, now, pause_reason)


def _leave_wrap_up(
    agents: AgentService,
    reference: int,
    agent_id: int,
    recorded: DispositionRecorded,
    holds: bool,
    now: datetime,
    pause_reason: str | None,
) -> DispositionDone:
    if holds:
        try:
            return DispositionDone(
                recorded, agents.finish_wrap_up(agent_id, reference, now, pause_reason)
            )
        except NotHoldingAttempt:
            pass  # wrap-up ended meanwhile, or its worker has not reported the hang-up yet
    if pause_reason is not None:
        after = agents.pause(agent_id, pause_reason, now)
    else:
        after = agents.status(agent_id)
    return DispositionDone(recorded, after)
