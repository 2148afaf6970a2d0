"""The rows `dialer bench live-pacing` analyses, read after the run: the SQL of the bench."""

from __future__ import annotations

from datetime import datetime

from campaigns.storage.db import Connection
from dialer.bench.live_pacing_analysis import AttemptRow, StateInterval

# Attempts queued during the run. An AMD false positive (AMD said machine, the agent's
# disposition says a person) counts as an abandoned live answer, and a machine an agent took
# (connected, dispositioned as nobody there) as no live answer, as in the reports.
_ATTEMPTS = """
SELECT a.dial_at, a.answer_at, a.hangup_at, a.outcome,
       coalesce(a.outcome = 'machine' AND d.human, false),
       a.pacing_risk,
       coalesce(a.outcome = 'connected' AND NOT d.human, false),
       a.message_start_at
FROM call_attempts a
LEFT JOIN dispositions d ON d.campaign_id = a.campaign_id AND d.code = a.disposition
WHERE a.campaign_id = %(campaign_id)s AND a.queued_at >= %(start)s AND a.queued_at < %(end)s
ORDER BY a.id
"""

# The campaign's agents' state intervals that overlap the run.
_INTERVALS = """
SELECT h.agent_id, h.state, h.started_at, h.ended_at
FROM agent_state_history h
WHERE h.agent_id = ANY(%(agent_ids)s)
  AND coalesce(h.ended_at, 'infinity') > %(start)s AND h.started_at < %(end)s
ORDER BY h.agent_id, h.started_at
"""

_CAMPAIGN_AGENTS = """
SELECT agent_id FROM agent_campaigns WHERE campaign_id = %(campaign_id)s ORDER BY agent_id
"""

# Other campaigns running at the same time share the workers and the carrier: worth saying.
_OTHERS_RUNNING = """
SELECT name FROM campaigns WHERE state = 'running' AND id <> %(campaign_id)s ORDER BY name
"""


def attempts(
    conn: Connection, campaign_id: int, start: datetime, end: datetime
) -> list[AttemptRow]:
    params = {"campaign_id": campaign_id, "start": start, "end": end}
    return [
        AttemptRow(
            dial_at, answer_at, hangup_at, outcome, bool(fp), risk, bool(machine), message_at
        )
        for dial_at, answer_at, hangup_at, outcome, fp, risk, machine, message_at in conn.execute(
            _ATTEMPTS, params
        ).fetchall()
    ]


def state_intervals(
    conn: Connection, agent_ids: list[int], start: datetime, end: datetime
) -> list[StateInterval]:
    params = {"agent_ids": agent_ids, "start": start, "end": end}
    return [
        StateInterval(int(agent_id), str(state), started_at, ended_at)
        for agent_id, state, started_at, ended_at in conn.execute(_INTERVALS, params).fetchall()
    ]


def other_running_campaigns(conn: Connection, campaign_id: int) -> list[str]:
    rows = conn.execute(_OTHERS_RUNNING, {"campaign_id": campaign_id}).fetchall()
    return [str(name) for (name,) in rows]


def campaign_agent_ids(conn: Connection, campaign_id: int) -> list[int]:
    rows = conn.execute(_CAMPAIGN_AGENTS, {"campaign_id": campaign_id}).fetchall()
    return [int(agent_id) for (agent_id,) in rows]
