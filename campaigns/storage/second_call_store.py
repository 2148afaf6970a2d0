"""Second calls (call waiting) still waiting for the agent's disposition.

An agent who takes a queued caller as a second call goes straight back to the outbound
customer on hold when it ends: no wrap-up state for it, since the agent's live state holds one
call (the held one). The inbound call is marked (`inbound_calls.second_call`) and listed here
until the agent records its disposition as for any inbound call
(dialer.agents.dispositions.submit_inbound_disposition).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from campaigns.storage.db import Connection

# Older second calls are no longer offered for a disposition (a shift's worth).
DISPOSE_WITHIN = timedelta(hours=12)

_TO_DISPOSE = """
SELECT i.id, i.caller_number, coalesce(q.name, ''), i.ended_at
FROM inbound_calls i
LEFT JOIN inbound_queues q ON q.id = i.queue_id
WHERE i.agent_id = %(agent_id)s AND i.second_call AND i.disposition IS NULL
  AND i.outcome = 'answered' AND i.ended_at >= %(since)s
ORDER BY i.ended_at
"""


@dataclass(frozen=True)
class SecondCall:
    inbound_call_id: int
    caller: str
    queue_name: str
    ended_at: datetime


def to_dispose(conn: Connection, agent_id: int, now: datetime) -> list[SecondCall]:
    """The agent's ended second calls without a disposition, oldest first."""
    params = {"agent_id": agent_id, "since": now - DISPOSE_WITHIN}
    return [SecondCall(*row) for row in conn.execute(_TO_DISPOSE, params).fetchall()]
