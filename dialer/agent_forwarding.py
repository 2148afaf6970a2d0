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

from campaigns.call_forwarding import ForwardTarget, forward_target
from campaigns.storage import agent_store

log = logging.getLogger(__name__)


def forwarding_for(
    pool: ConnectionPool, agent_id: int, attempt_id: int, allow_list: tuple[str, ...]
) -> ForwardTarget | None:
    try:
        with pool.connection() as conn:
            mode, forward_to = agent_store.forwarding(conn, agent_id)
    except psycopg.Error as failed:  # the offer goes on to the agent's own phone
        log.warning("attempt %s: agent %s's forwarding unread: %s", attempt_id, agent_id, failed)
        return None
    target, refused = forward_target(mode, forward_to, allow_list)
    if refused is not None:
        log.warning("attempt %s: agent %s: %s", attempt_id, agent_id, refused)
    elif target is not None:
        log.info("attempt %s: agent %s forwards (%s)", attempt_id, agent_id, target.mode.value)
    return target
