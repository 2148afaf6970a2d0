"""Call recordings on attempts: where the file is, who may have it, and when it expires.

Paths are relative to the data dir (the dashboard and the workers resolve them against their own),
never a user's input: the worker writes them from ids.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from psycopg.rows import class_row

from campaigns.storage.db import Connection

_SET_PATH = """
UPDATE call_attempts SET recording_path = %(path)s WHERE id = %(id)s
"""

_RECORDING = """
SELECT a.id AS attempt_id, a.campaign_id, a.agent_id, a.recording_path AS path,
       a.recording_deleted_at AS deleted_at
FROM call_attempts a
WHERE a.id = %(id)s AND a.recording_path IS NOT NULL
"""

# Recordings of ended calls older than their campaign's retention, oldest first, a batch at a time.
_EXPIRED = """
SELECT a.id AS attempt_id, a.campaign_id, a.agent_id, a.recording_path AS path,
       a.recording_deleted_at AS deleted_at
FROM call_attempts a
JOIN campaigns c ON c.id = a.campaign_id
WHERE a.recording_path IS NOT NULL AND a.recording_deleted_at IS NULL
  AND a.state = 'ended'
  AND a.hangup_at < %(now)s - make_interval(days => c.recording_retention_days)
ORDER BY a.hangup_at
LIMIT %(limit)s
"""

SWEEP_BATCH = 500

_MARK_DELETED = """
UPDATE call_attempts SET recording_deleted_at = %(now)s
WHERE id = %(id)s AND recording_deleted_at IS NULL
"""


@dataclass(frozen=True)
class Recording:
    attempt_id: int
    campaign_id: int
    agent_id: int | None
    path: str
    deleted_at: datetime | None


def set_recording_path(conn: Connection, attempt_id: int, path: str) -> None:
    with conn.transaction():
        conn.execute(_SET_PATH, {"id": attempt_id, "path": path})


def recording_of(conn: Connection, attempt_id: int) -> Recording | None:
    with conn.cursor(row_factory=class_row(Recording)) as cur:
        return cur.execute(_RECORDING, {"id": attempt_id}).fetchone()


def expired_recordings(
    conn: Connection, now: datetime, limit: int = SWEEP_BATCH
) -> list[Recording]:
    with conn.cursor(row_factory=class_row(Recording)) as cur:
        return cur.execute(_EXPIRED, {"now": now, "limit": limit}).fetchall()


def mark_deleted(conn: Connection, attempt_id: int, now: datetime) -> None:
    with conn.transaction():
        conn.execute(_MARK_DELETED, {"id": attempt_id, "now": now})
