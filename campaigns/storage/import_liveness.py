"""Whether the process running a list import is still alive, proven by PostgreSQL itself.

The process that runs an import holds a session-level advisory lock, shared, keyed by the import's
id, on each of its connections (the status one from before the claim, the import transaction's
from before it begins). PostgreSQL releases a session's locks only when that session ends: when the
process is killed (kill -9, a gunicorn worker killed on timeout, an OOM kill), its backends see the
socket close and exit, and the import's transaction is rolled back before its lock goes, so the
campaign is as it was. A sweep that can take the lock exclusively has therefore proven that nobody
runs the import any more, and closes it as failed. No heartbeat to tune: a long set-based insert
that reports nothing for minutes is still alive, and a dead import is found at the next sweep.

A queued import is held the same way by the process that will run it (the dashboard's runner
thread from before it waits for a free slot); the short moment between the request that records
it and the thread that takes the lock is covered by a grace period.
"""

from __future__ import annotations

from dataclasses import dataclass

from campaigns.storage.db import Connection

# Advisory lock key (pg_advisory_lock_shared(key, id)), beside IMPORT_LOCK and DNC_LOCK.
ALIVE_LOCK = 7_241_005
# A queued import nobody holds is dead only once older than this.
QUEUED_GRACE_S = 60

STOPPED_RUNNING = (
    "the importing process stopped (killed or crashed) before the import finished; nothing of "
    "it was stored: import the file again"
)
STOPPED_QUEUED = (
    "the process that was to run this import stopped before it started: import the file again"
)

# A backend notices its client is gone when it next reads from it; in the middle of a long
# statement that would be when the statement ends. These make it check every few seconds, and
# probe a silent peer (a host that vanished) over TCP keepalives within about a minute.
# (Keepalives do not apply to a unix socket: its client is on the same host.)
_DEATH_CHECKS = (
    "SET tcp_keepalives_idle = 30",
    "SET tcp_keepalives_interval = 10",
    "SET tcp_keepalives_count = 3",
)
_CHECK_INTERVAL = "SET client_connection_check_interval = '2s'"  # PostgreSQL 14+
_CHECK_INTERVAL_SINCE = 140000

_HOLD = "SELECT pg_advisory_lock_shared(%(key)s, %(id)s::integer)"

# CASE, not AND: the try-lock must run only on the rows it is about (AND may be reordered), so a
# sweep never takes, even briefly, the lock of an import that is over. A queued row's grace is
# counted from its last update (its creation).
_SWEEP = """
UPDATE list_imports
SET state = 'failed', phase = NULL, finished_at = now(), updated_at = now(),
    error = CASE WHEN state = 'running' THEN %(stopped_running)s ELSE %(stopped_queued)s END
WHERE state IN ('queued', 'running')
  AND CASE WHEN state = 'running'
             OR (state = 'queued' AND updated_at < now() - make_interval(secs => %(grace)s::float8))
           THEN pg_try_advisory_xact_lock(%(key)s, id::integer)
           ELSE false END
RETURNING id, file_path
"""


@dataclass(frozen=True)
class DeadImport:
    id: int
    # The file it was to read (an upload its process would have deleted when done).
    file_path: str | None


def hold_alive(conn: Connection, import_id: int) -> None:
    """Mark this connection's process as running (or about to run) the import, until the
    connection closes. Outside any transaction: the lock belongs to the session."""
    for statement in _DEATH_CHECKS:
        conn.execute(statement)
    if conn.info.server_version >= _CHECK_INTERVAL_SINCE:
        conn.execute(_CHECK_INTERVAL)
    conn.execute(_HOLD, {"key": ALIVE_LOCK, "id": import_id})


def sweep_dead_imports(
    conn: Connection, queued_grace_s: float = QUEUED_GRACE_S
) -> list[DeadImport]:
    """Close as failed every queued or running import whose process is gone; return them."""
    with conn.transaction():
        rows = conn.execute(
            _SWEEP,
            {
                "key": ALIVE_LOCK,
                "grace": queued_grace_s,
                "stopped_running": STOPPED_RUNNING,
                "stopped_queued": STOPPED_QUEUED,
            },
        ).fetchall()
    return [DeadImport(int(row[0]), None if row[1] is None else str(row[1])) for row in rows]


def files_in_use(conn: Connection) -> set[str]:
    """The files of the imports not over yet: no sweep of old uploads may delete those."""
    rows = conn.execute(
        "SELECT file_path FROM list_imports"
        " WHERE state IN ('queued', 'running') AND file_path IS NOT NULL"
    ).fetchall()
    return {str(row[0]) for row in rows}
