"""List imports in PostgreSQL: their status rows, the staging table, and the set-based finish.

The all-or-nothing rule: the staging table is TEMP (ON COMMIT DROP) and lives in the same
transaction as the final inserts, so an import that fails anywhere leaves the campaign's
contacts, lists and rejects exactly as they were; only its list_imports row, written on a second
autocommit connection, records the failure.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from psycopg import Copy, sql
from psycopg.rows import dict_row
from psycopg.types.json import Jsonb

from campaigns.contact_import.rows import STAGE_COLUMNS
from campaigns.contact_import.status import (
    ImportCounts,
    ImportPhase,
    ImportState,
    ImportStatus,
)
from campaigns.errors import NotFound
from campaigns.storage.db import Connection

# Advisory lock keys (pg_advisory_xact_lock(key, id)): any constants unused by other features.
IMPORT_LOCK = 7_241_003  # per campaign: imports into one campaign finish one at a time
DNC_LOCK = 7_241_004  # list imports share it, DNC additions take it alone

_CREATE = """
INSERT INTO list_imports (campaign_id, filename, state, options, file_path, created_by)
VALUES (%(campaign_id)s, %(filename)s, 'queued', %(options)s, %(file_path)s, %(created_by)s)
RETURNING id
"""

_CLAIM = """
UPDATE list_imports
SET state = 'running', phase = 'reading', started_at = now(), updated_at = now()
WHERE id = %(id)s AND state = 'queued'
RETURNING id
"""

_PROGRESS = """
UPDATE list_imports SET progress = %(progress)s, rows = %(rows)s, phase = %(phase)s,
    updated_at = now()
WHERE id = %(id)s AND state = 'running'
"""

_FAIL = """
UPDATE list_imports SET state = 'failed', phase = NULL, error = %(error)s, finished_at = now(),
    updated_at = now()
WHERE id = %(id)s AND state IN ('queued', 'running')
"""

_SELECT = """
SELECT id, campaign_id, list_id, filename, state, phase, progress, rows, imported, duplicates,
       invalid, dnc, skipped_recent, rejected_rows, error, options, file_path, started_at,
       finished_at, updated_at
FROM list_imports
"""

_STAGE = """
CREATE TEMP TABLE import_stage (
    row_number  integer NOT NULL,
    phone_index smallint,
    phone_e164  text,
    phone_type  text,
    extension   text,
    first_name  text,
    last_name   text,
    postal_code text,
    time_zones  text[],
    fields      jsonb NOT NULL,
    reason      text,
    -- Set by the finish: duplicate, in_campaign, recent (reason then says which row, etc.).
    skip        text
) ON COMMIT DROP
"""


def create_import(
    conn: Connection,
    campaign_id: int,
    *,
    filename: str,
    file_path: str,
    options: dict[str, Any],
    created_by: int | None = None,
) -> int:
    with conn.transaction():
        row = conn.execute(
            _CREATE,
            {
                "campaign_id": campaign_id,
                "filename": filename,
                "options": Jsonb(options),
                "file_path": file_path,
                "created_by": created_by,
            },
        ).fetchone()
    assert row is not None
    return int(row[0])


def claim_import(conn: Connection, import_id: int) -> bool:
    """queued -> running; False when another task has it already (or it is over)."""
    with conn.transaction():
        return conn.execute(_CLAIM, {"id": import_id}).fetchone() is not None


def report_progress(
    conn: Connection, import_id: int, progress: float, rows: int, phase: ImportPhase
) -> None:
    with conn.transaction():
        conn.execute(
            _PROGRESS,
            {
                "id": import_id,
                "progress": min(1.0, max(0.0, progress)),
                "rows": rows,
                "phase": phase,
            },
        )


def fail_import(conn: Connection, import_id: int, error: str) -> None:
    with conn.transaction():
        conn.execute(_FAIL, {"id": import_id, "error": error[:2000]})


def get_import(conn: Connection, import_id: int) -> ImportStatus:
    with conn.cursor(row_factory=dict_row) as cur:
        row = cur.execute(f"{_SELECT} WHERE id = %(id)s", {"id": import_id}).fetchone()
    if row is None:
        raise NotFound(f"no list import with id {import_id}")
    return _status(row)


def file_path(conn: Connection, import_id: int) -> str | None:
    row = conn.execute(
        "SELECT file_path FROM list_imports WHERE id = %(id)s", {"id": import_id}
    ).fetchone()
    if row is None:
        raise NotFound(f"no list import with id {import_id}")
    return None if row[0] is None else str(row[0])


def list_imports(conn: Connection, campaign_id: int, limit: int = 50) -> list[ImportStatus]:
    with conn.cursor(row_factory=dict_row) as cur:
        rows = cur.execute(
            f"{_SELECT} WHERE campaign_id = %(campaign_id)s ORDER BY id DESC LIMIT %(limit)s",
            {"campaign_id": campaign_id, "limit": limit},
        ).fetchall()
    return [_status(row) for row in rows]


def create_stage(conn: Connection) -> None:
    """The staging table; call inside the import's transaction (it goes at commit), on a
    connection that has not used temporary tables yet (temp_buffers is fixed by then)."""
    # Temporary tables live in the backend's own buffers, 8 MB by default: a million staged
    # lines would go through the OS for every pass of the finish.
    conn.execute("SET temp_buffers = '256MB'")
    conn.execute(_STAGE)


@contextmanager
def copy_into_stage(conn: Connection) -> Iterator[Copy]:
    statement = sql.SQL("COPY import_stage ({}) FROM STDIN").format(
        sql.SQL(", ").join(sql.Identifier(column) for column in STAGE_COLUMNS)
    )
    with conn.cursor() as cur, cur.copy(statement) as copy:
        yield copy


def rejects(conn: Connection, import_id: int) -> Iterator[tuple[int, str, dict[str, Any]]]:
    """(row number, reason, the row as {header: cell}) in row order, streamed."""
    # A server-side cursor streams the rows; it needs a transaction around it.
    with conn.transaction(), conn.cursor(name=f"rejects_{import_id}") as cur:
        cur.execute(
            "SELECT row_number, reason, raw FROM import_rejects WHERE import_id = %(id)s"
            " ORDER BY row_number",
            {"id": import_id},
        )
        for row_number, reason, raw in cur:
            yield int(row_number), str(reason), dict(raw)


def _status(row: dict[str, Any]) -> ImportStatus:
    return ImportStatus(
        id=row["id"],
        campaign_id=row["campaign_id"],
        list_id=row["list_id"],
        filename=row["filename"],
        state=ImportState(row["state"]),
        phase=ImportPhase(row["phase"]) if row["phase"] else None,
        progress=float(row["progress"]),
        counts=ImportCounts(
            rows=row["rows"],
            imported=row["imported"],
            dnc=row["dnc"],
            duplicates=row["duplicates"],
            invalid=row["invalid"],
            skipped_recent=row["skipped_recent"],
            rejected_rows=row["rejected_rows"],
        ),
        error=row["error"],
        options=dict(row["options"]),
        started_at=row["started_at"],
        finished_at=row["finished_at"],
        updated_at=row["updated_at"],
    )
