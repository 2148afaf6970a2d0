"""The wallboard's reads of a campaign's calls in progress (the rest of its figures come from
campaigns.storage.reports.wallboard and claim_store.dialability_counts)."""

from __future__ import annotations

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
