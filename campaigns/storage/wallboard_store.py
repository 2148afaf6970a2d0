"""The wallboard's reads of a campaign's calls in progress (the rest of its figures come from
campaigns.storage.reports.wallboard and claim_store.dialability_counts)."""

from __future__ import annotations

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
