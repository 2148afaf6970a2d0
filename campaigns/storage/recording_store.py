"""Call recordings, of outbound attempts and of inbound calls: where the file is, who may have
it, and when it expires (the campaign's retention; an inbound call's campaign is its queue's).

Paths are relative to the data dir (the dashboard and the workers resolve them against their own),
never a user's input: the worker writes them from ids.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from psycopg.rows import args_row

from campaigns.storage.db import Connection

_SET_PATH = """
UPDATE call_attempts SET recording_path = %(path)s WHERE id = %(id)s
"""

_RECORDING = """
SELECT 'attempt' AS kind, a.id AS call_id, a.campaign_id, a.agent_id, a.recording_path AS path,
       a.recording_deleted_at AS deleted_at
FROM call_attempts a
WHERE a.id = %(id)s AND a.recording_path IS NOT NULL
"""

_INBOUND_RECORDING = """
SELECT 'inbound' AS kind, i.id AS call_id, q.campaign_id, i.agent_id, i.recording_path AS path,
       i.recording_deleted_at AS deleted_at
FROM inbound_calls i LEFT JOIN inbound_queues q ON q.id = i.queue_id
WHERE i.id = %(id)s AND i.recording_path IS NOT NULL
"""

# Recordings of ended calls older than their campaign's retention, oldest first, a batch at a
# time, outbound and inbound. An inbound call whose queue (or its campaign) is gone keeps the
# default retention of 90 days.
_EXPIRED = """
(SELECT 'attempt' AS kind, a.id AS call_id, a.campaign_id, a.agent_id,
        a.recording_path AS path, a.recording_deleted_at AS deleted_at
 FROM call_attempts a
 JOIN campaigns c ON c.id = a.campaign_id
 WHERE a.recording_path IS NOT NULL AND a.recording_deleted_at IS NULL
   AND a.state = 'ended'
   AND a.hangup_at < %(now)s - make_interval(days => c.recording_retention_days)
 ORDER BY a.hangup_at
 LIMIT %(limit)s)
UNION ALL
(SELECT 'inbound', i.id, q.campaign_id, i.agent_id, i.recording_path, i.recording_deleted_at
 FROM inbound_calls i
 LEFT JOIN inbound_queues q ON q.id = i.queue_id
 LEFT JOIN campaigns c ON c.id = q.campaign_id
 WHERE i.recording_path IS NOT NULL AND i.recording_deleted_at IS NULL
   AND i.ended_at < %(now)s - make_interval(days => coalesce(c.recording_retention_days, 90))
 ORDER BY i.ended_at
 LIMIT %(limit)s)
"""

SWEEP_BATCH = 500

_MARK_DELETED = {
    "attempt": """
UPDATE call_attempts SET recording_deleted_at = %(now)s
WHERE id = %(id)s AND recording_deleted_at IS NULL
""",
    "inbound": """
UPDATE inbound_calls SET recording_deleted_at = %(now)s
WHERE id = %(id)s AND recording_deleted_at IS NULL
""",
}


class RecordedCall(StrEnum):
    ATTEMPT = "attempt"  # an outbound attempt (call_attempts)
    INBOUND = "inbound"  # a call to a queue (inbound_calls)


@dataclass(frozen=True)
class Recording:
    kind: RecordedCall
    call_id: int
    campaign_id: int | None
    agent_id: int | None
    path: str
    deleted_at: datetime | None


def set_recording_path(conn: Connection, attempt_id: int, path: str) -> None:
    with conn.transaction():
        conn.execute(_SET_PATH, {"id": attempt_id, "path": path})


def recording_of(conn: Connection, attempt_id: int) -> Recording | None:
    """An outbound attempt's recording."""
    return _one(conn, _RECORDING, attempt_id)


def inbound_recording_of(conn: Connection, call_id: int) -> Recording | None:
    """An inbound call's recording."""
    return _one(conn, _INBOUND_RECORDING, call_id)


def _one(conn: Connection, query: str, call_id: int) -> Recording | None:
    with conn.cursor(row_factory=args_row(_recording)) as cur:
        return cur.execute(query, {"id": call_id}).fetchone()


def _recording(
    kind: str,
    call_id: int,
    campaign_id: int | None,
    agent_id: int | None,
    path: str,
    deleted_at: datetime | None,
) -> Recording:
    return Recording(RecordedCall(kind), call_id, campaign_id, agent_id, path, deleted_at)


def expired_recordings(
    conn: Connection, now: datetime, limit: int = SWEEP_BATCH
) -> list[Recording]:
    """Up to `limit` expired recordings of each kind."""
    with conn.cursor(row_factory=args_row(_recording)) as cur:
        return cur.execute(_EXPIRED, {"now": now, "limit": limit}).fetchall()


def mark_deleted(conn: Connection, recording: Recording, now: datetime) -> None:
    with conn.transaction():
        conn.execute(_MARK_DELETED[recording.kind], {"id": recording.call_id, "now": now})
