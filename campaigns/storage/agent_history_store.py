"""agent_state_history in PostgreSQL: one row per change of an agent's live state.

Writers are several processes (workers claim and hand back agents, the dashboard and the CLI
change states, the scheduler expires wrap-ups), so two changes of one agent can reach PostgreSQL
in either order. Rows are therefore placed by their `seq`, not by arrival: a new row ends its
predecessor (the row with the next lower seq) and is itself ended by its successor when that one
is already stored. A per-agent advisory lock serialises the writers of one agent, so each sees the
other's committed rows; a repeated write (same agent, same seq) changes nothing.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from campaigns.agent_history import StateChange
from campaigns.agents import AgentState
from campaigns.storage.db import Connection

# Any constant of ours; the second key of the lock is the agent id.
_LOCK_NAMESPACE = 7_241_005
_INT4 = 2**31 - 1

_LOCK = "SELECT pg_advisory_xact_lock(%(namespace)s, (%(agent_id)s %% %(int4)s)::int)"

# The predecessor, and any open row from before seq existed, ends where this change starts.
_END_PREDECESSOR = """
UPDATE agent_state_history SET ended_at = %(at)s
WHERE agent_id = %(agent_id)s
  AND (seq = (SELECT max(seq) FROM agent_state_history
              WHERE agent_id = %(agent_id)s AND seq < %(seq)s)
       OR (seq IS NULL AND ended_at IS NULL))
"""

_INSERT = """
INSERT INTO agent_state_history (agent_id, seq, campaign_id, campaigns, state, reason, attempt_id,
                                 started_at, ended_at)
VALUES (%(agent_id)s, %(seq)s, %(campaign_id)s, %(campaigns)s, %(state)s, %(reason)s,
        %(attempt_id)s, %(at)s,
        (SELECT min(started_at) FROM agent_state_history
         WHERE agent_id = %(agent_id)s AND seq > %(seq)s))
ON CONFLICT (agent_id, seq) DO NOTHING
"""

_LAST = """
SELECT DISTINCT ON (agent_id) agent_id, seq, state, campaigns
FROM agent_state_history WHERE seq IS NOT NULL
ORDER BY agent_id, seq DESC
"""

_LAST_SEQ = "SELECT coalesce(max(seq), 0) FROM agent_state_history WHERE agent_id = %(agent_id)s"


@dataclass(frozen=True)
class LastState:
    """An agent's latest recorded change: where a rebuilt live state starts from."""

    agent_id: int
    seq: int
    state: AgentState
    campaigns: frozenset[int]


def record_changes(conn: Connection, changes: Iterable[StateChange]) -> None:
    """Store the changes (any order, repeats allowed) in one transaction."""
    with conn.transaction():
        for change in sorted(changes, key=lambda c: (c.agent_id, c.seq)):
            params = {
                "namespace": _LOCK_NAMESPACE,
                "int4": _INT4,
                "agent_id": change.agent_id,
                "seq": change.seq,
                "at": change.at,
                "campaign_id": change.campaign_id,
                "campaigns": sorted(change.campaigns),
                "state": change.state.value,
                "reason": change.reason,
                "attempt_id": change.attempt_id,
            }
            conn.execute(_LOCK, params)
            conn.execute(_END_PREDECESSOR, params)
            conn.execute(_INSERT, params)


def record_change(conn: Connection, change: StateChange) -> None:
    record_changes(conn, (change,))


def last_states(conn: Connection) -> list[LastState]:
    rows = conn.execute(_LAST).fetchall()
    return [
        LastState(int(agent_id), int(seq), AgentState(state), frozenset(campaigns or ()))
        for agent_id, seq, state, campaigns in rows
    ]


def last_seq(conn: Connection, agent_id: int) -> int:
    row = conn.execute(_LAST_SEQ, {"agent_id": agent_id}).fetchone()
    return int(row[0]) if row else 0
