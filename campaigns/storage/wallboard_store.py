"""The wallboard's reads of a campaign's calls in progress and of its inbound queues' recent
handle times (the rest of its figures come from
campaigns.storage.reports.wallboard and claim_store.dialability_counts)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from campaigns.attempt import AttemptState
from campaigns.storage.db import Connection

# Open attempts are few (at most the lines in use): the partial index on open attempts finds
# them without touching the history.
_OPEN_BY_STATE = """
SELECT state, count(*) FROM call_attempts
WHERE state <> 'ended' AND campaign_id = %(campaign_id)s
GROUP BY state
"""


def open_attempts_by_state(conn: Connection, campaign_id: int) -> dict[AttemptState, int]:
    """The campaign's attempts not yet ended, counted by state (every open state, 0 when none)."""
    counts: dict[AttemptState, int] = {s: 0 for s in AttemptState if s is not AttemptState.ENDED}
    for state, count in conn.execute(_OPEN_BY_STATE, {"campaign_id": campaign_id}).fetchall():
        counts[AttemptState(state)] = int(count)
    return counts


# A campaign has few imports (index list_imports_campaign finds them).
_IMPORTED_SINCE = """
SELECT EXISTS (
    SELECT 1 FROM list_imports
    WHERE campaign_id = %(campaign_id)s AND state = 'done' AND finished_at > %(since)s
)
"""


def list_imported_since(conn: Connection, campaign_id: int, since: datetime) -> bool:
    """Whether an import into the campaign finished after `since` (its contact counts moved)."""
    row = conn.execute(_IMPORTED_SINCE, {"campaign_id": campaign_id, "since": since}).fetchone()
    return bool(row and row[0])


@dataclass(frozen=True)
class QueueHandleTime:
    queue_id: int
    name: str
    handled: int
    handle_s: float | None  # None: no answered call since the window's start


# Talk plus wrap-up: from the agent's answer to the disposition (the call's end when none was
# given). The (queue_id, offered_at) index reads only the window's calls.
_QUEUE_HANDLE_TIMES = """
SELECT q.id, q.name, count(i.id) AS handled,
       avg(extract(epoch FROM coalesce(i.disposition_at, i.ended_at) - i.answered_at))
FROM inbound_queues q
LEFT JOIN inbound_calls i ON i.queue_id = q.id AND i.offered_at >= %(since)s
    AND i.outcome = 'answered' AND i.answered_at IS NOT NULL
WHERE q.campaign_id = %(campaign_id)s
GROUP BY q.id, q.name
ORDER BY q.id
"""


def queue_handle_times(
    conn: Connection, campaign_id: int, since: datetime
) -> list[QueueHandleTime]:
    """The campaign's inbound queues with the mean handle time of calls answered since."""
    rows = conn.execute(
        _QUEUE_HANDLE_TIMES, {"campaign_id": campaign_id, "since": since}
    ).fetchall()
    return [
        QueueHandleTime(int(qid), str(name), int(n), None if avg is None else float(avg))
        for qid, name, n, avg in rows
    ]
