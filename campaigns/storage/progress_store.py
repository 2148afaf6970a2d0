"""Running totals of a campaign since a moment: the demo's and the load runs' progress line."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from campaigns.storage.db import Connection


@dataclass(frozen=True)
class Progress:
    placed: int
    answered: int
    connected: int
    abandoned: int
    machines: int
    in_progress: int
    # Agents' time talking or in wrap-up (or reserved for a call) over their logged-in time.
    occupancy: float | None

    @property
    def abandon_rate(self) -> float | None:
        live = self.connected + self.abandoned
        return self.abandoned / live if live else None


_CALLS = """
SELECT count(*) FILTER (WHERE dial_at IS NOT NULL),
       count(*) FILTER (WHERE answer_at IS NOT NULL),
       count(*) FILTER (WHERE outcome = 'connected'),
       count(*) FILTER (WHERE outcome = 'abandoned'),
       count(*) FILTER (WHERE outcome = 'machine'),
       count(*) FILTER (WHERE state <> 'ended')
FROM call_attempts WHERE campaign_id = %(campaign_id)s AND queued_at >= %(since)s
"""

# Each state interval clipped to [since, now]; logged-out time is not logged-in time.
_OCCUPANCY = """
SELECT sum(seconds) FILTER (WHERE state IN ('reserved', 'on_call', 'wrap_up')),
       sum(seconds) FILTER (WHERE state <> 'logged_out')
FROM (
    SELECT h.state, extract(epoch FROM least(coalesce(h.ended_at, %(now)s), %(now)s)
                                     - greatest(h.started_at, %(since)s)) AS seconds
    FROM agent_state_history h
    JOIN agent_campaigns ac ON ac.agent_id = h.agent_id AND ac.campaign_id = %(campaign_id)s
    WHERE coalesce(h.ended_at, %(now)s) > %(since)s AND h.started_at < %(now)s
) intervals
"""


def campaign_progress(
    conn: Connection, campaign_id: int, since: datetime, now: datetime
) -> Progress:
    params = {"campaign_id": campaign_id, "since": since, "now": now}
    calls = conn.execute(_CALLS, params).fetchone()
    busy = conn.execute(_OCCUPANCY, params).fetchone()
    assert calls is not None and busy is not None
    occupancy = float(busy[0] or 0) / float(busy[1]) if busy[1] else None
    placed, answered, connected, abandoned, machines, in_progress = (int(v) for v in calls)
    return Progress(placed, answered, connected, abandoned, machines, in_progress, occupancy)
