"""The forwarding of an agent as it applies to one offered call (campaigns.call_forwarding).

Read from PostgreSQL when the call is offered (one indexed row: the agent may have changed it
a moment ago), against the campaign's transfer allow list carried by the attempt. Calls the
agent placed themselves (preview, click-to-call, speed dial) are never forwarded: the agent is
at the desk, having just clicked.
"""

from __future__ import annotations

import logging

import psycopg
from psycopg_pool import ConnectionPool

from campaigns.agents import ForwardMode
from campaigns.call_forwarding import ForwardTarget, forward_target, inbound_forward_target
from campaigns.storage import agent_store

log = logging.getLogger(__name__)


def forwarding_for(
    pool: ConnectionPool, agent_id: int, attempt_id: int, allow_list: tuple[str, ...]
) -> ForwardTarget | None:
    setting = _read(pool, agent_id, f"attempt {attempt_id}")
    if setting is None:
        return None
    target, refused = forward_target(*setting, allow_list)
    return _noted(target, refused, agent_id, f"attempt {attempt_id}")


def inbound_forwarding_for(
    pool: ConnectionPool, agent_id: int, call_id: int
) -> ForwardTarget | None:
    """The same for an inbound queue call offered to the agent (sip: URIs only: no trunk)."""
    setting = _read(pool, agent_id, f"inbound call {call_id}")
    if setting is None:
        return None
    target, refused = inbound_forward_target(*setting)
    return _noted(target, refused, agent_id, f"inbound call {call_id}")


def _read(pool: ConnectionPool, agent_id: int, call: str) -> tuple[ForwardMode, str | None] | None:
    try:
        with pool.connection() as conn:
            return agent_store.forwarding(conn, agent_id)
    except psycopg.Error as failed:  # the offer goes on to the agent's own phone
        log.warning("%s: agent %s's forwarding unread: %s", call, agent_id, failed)
        return None


def _noted(
    target: ForwardTarget | None, refused: str | None, agent_id: int, call: str
) -> ForwardTarget | None:
    if refused is not None:
        log.warning("%s: agent %s: %s", call, agent_id, refused)
    elif target is not None:
        log.info("%s: agent %s forwards (%s)", call, agent_id, target.mode.value)
    return target
