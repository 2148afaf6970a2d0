"""Staged lines -> contacts, rejects and counts, set-based, one chunk of lines at a time.

All of it runs in the import's one transaction: `begin_import` takes the locks and creates the
list, `store_chunk` turns the lines staged so far into contacts and rejects (a few statements over
the chunk; nothing loops per row in Python), `finish_import` records the counts. Chunks let
PostgreSQL insert one part of the file while the worker processes normalise the next.

A row's lines always arrive in one chunk (a batch is never split), so each chunk knows everything
about its rows; earlier chunks are seen through the contacts they stored.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from campaigns.contact_import.status import ImportCounts
from campaigns.storage.db import Connection
from campaigns.storage.import_store import DNC_LOCK, IMPORT_LOCK

_log = logging.getLogger(__name__)


@contextmanager
def _step(name: str) -> Iterator[None]:
    started = time.monotonic()
    yield
    _log.debug("import chunk: %s took %.2f s", name, time.monotonic() - started)


_LOCKS = """
SELECT pg_advisory_xact_lock_shared(%(dnc_lock)s, 0),
       pg_advisory_xact_lock(%(import_lock)s, %(campaign_id)s::integer)
"""

_NEW_LIST = """
INSERT INTO contact_lists (campaign_id, name, source_filename, default_region)
VALUES (%(campaign_id)s, %(name)s, %(filename)s, %(region)s)
RETURNING id
"""

# Numbers already stored: by an earlier chunk of this import (then a duplicate of that row), or
# before it. One probe of the contacts' unique (campaign, phone) index per staged number, forced
# by the LATERAL ... LIMIT 1 (a subquery with a LIMIT is not flattened into a join): the planner's
# statistics know nothing of the contacts this transaction stored, so left to itself, on a table
# holding other campaigns' millions, it estimated one contact for this campaign and walked the
# whole chunk once per contact stored by the chunks before (minutes per chunk).
_MARK_STORED = """
WITH stored AS (
    SELECT s.ctid AS line, c.list_id, c.person_key
    FROM import_stage s
    CROSS JOIN LATERAL (
        SELECT c.list_id, c.person_key FROM contacts c
        WHERE c.campaign_id = %(campaign_id)s AND c.phone_e164 = s.phone_e164
        LIMIT 1
    ) c
    WHERE s.reason IS NULL
)
UPDATE import_stage s
SET skip = CASE WHEN f.list_id = %(list_id)s THEN 'duplicate' ELSE 'in_campaign' END,
    reason = CASE WHEN f.list_id = %(list_id)s
                  THEN 'duplicate of row ' || split_part(f.person_key, ':', 2)
                  ELSE 'already in this campaign' END
FROM stored f
WHERE s.ctid = f.line
"""

# Later copies of a number within the chunk; the first (by row, then phone column) is kept. A
# hash aggregate finds the few numbers written twice without sorting the chunk.
_MARK_DUPLICATES = """
UPDATE import_stage s
SET skip = 'duplicate', reason = 'duplicate of row ' || d.first_line[1]
FROM (
    SELECT phone_e164, min(ARRAY[row_number, phone_index]) AS first_line
    FROM import_stage
    WHERE reason IS NULL
    GROUP BY phone_e164
    HAVING count(*) > 1
) d
WHERE s.reason IS NULL AND s.phone_e164 = d.phone_e164
  AND ARRAY[s.row_number, s.phone_index] <> d.first_line
"""

_MARK_RECENT = """
UPDATE import_stage s
SET skip = 'recent', reason = 'dialed in the last ' || %(days)s::integer || ' days'
WHERE s.reason IS NULL AND s.phone_e164 IN (
    SELECT called_number FROM call_attempts
    WHERE dial_at >= now() - make_interval(days => %(days)s::integer))
"""

# dnc: the staged numbers on a DNC list that applies (global, the campaign's) and the reason
# their contacts are stored not dialable; looked up per staged number through the DNC phone index
# (LATERAL ... LIMIT 1, as above), so the cost follows the upload, not the size of a national
# registry copy.
# ORDER BY: the unique (campaign, phone) and phone indexes fill left to right instead of
# splitting pages all over. No ON CONFLICT: duplicates are marked above under the campaign's
# import lock, and its per-row speculative insertion costs a fifth of the insert; a contact another
# writer adds meanwhile fails the import (all or nothing), which a retry resolves.
_INSERT_CONTACTS = """
WITH dnc AS (
    SELECT s.phone_e164,
           CASE WHEN e.campaign_id IS NULL THEN 'on the global DNC list'
                ELSE 'on this campaign''s DNC list' END
           || ' (' || e.source || ', added '
           || to_char(e.added_at AT TIME ZONE 'UTC', 'YYYY-MM-DD') || ')' AS reason
    FROM import_stage s
    CROSS JOIN LATERAL (
        SELECT e.campaign_id, e.source, e.added_at FROM dnc_entries e
        WHERE e.phone_e164 = s.phone_e164
          AND (e.campaign_id IS NULL OR e.campaign_id = %(campaign_id)s)
        ORDER BY e.campaign_id NULLS FIRST
        LIMIT 1
    ) e
    WHERE s.reason IS NULL
),
inserted AS (
    INSERT INTO contacts (
        campaign_id, list_id, phone_e164, phone_type, phone_label, person_key, first_name,
        last_name, postal_code, time_zones, custom_fields, state, block_reason)
    SELECT %(campaign_id)s, %(list_id)s, s.phone_e164, s.phone_type,
           (%(labels)s::text[])[s.phone_index + 1],
           %(person_prefix)s || s.row_number,
           s.first_name, s.last_name, s.postal_code, s.time_zones,
           (s.fields - %(mapped)s::text[])
               || CASE WHEN s.extension IS NULL THEN '{}'::jsonb
                       ELSE jsonb_build_object(
                           (%(labels)s::text[])[s.phone_index + 1] || '_extension', s.extension)
                  END,
           CASE WHEN d.reason IS NULL THEN 'dialable' ELSE 'dnc' END,
           d.reason
    FROM import_stage s
    LEFT JOIN dnc d ON d.phone_e164 = s.phone_e164
    WHERE s.reason IS NULL
    ORDER BY s.phone_e164
    RETURNING state
)
SELECT count(*) FILTER (WHERE state = 'dialable'), count(*) FILTER (WHERE state = 'dnc')
FROM inserted
"""

# One reject per file row: a row with two bad numbers gets both reasons, labelled by column.
_INSERT_REJECTS = """
WITH rejected AS (
    INSERT INTO import_rejects (import_id, row_number, reason, raw)
    SELECT %(import_id)s, row_number,
           string_agg(
               CASE WHEN %(several_phones)s AND phone_index IS NOT NULL
                    THEN (%(labels)s::text[])[phone_index + 1] || ': ' ELSE '' END || reason,
               '; ' ORDER BY phone_index NULLS FIRST),
           (array_agg(fields))[1]
    FROM import_stage
    WHERE reason IS NOT NULL
    GROUP BY row_number
    RETURNING 1
)
SELECT count(*) FROM rejected
"""

_DONE = """
UPDATE list_imports
SET state = 'done', phase = NULL, progress = 1, list_id = %(list_id)s, rows = %(rows)s,
    imported = %(imported)s, duplicates = %(duplicates)s, invalid = %(invalid)s, dnc = %(dnc)s,
    skipped_recent = %(skipped_recent)s, rejected_rows = %(rejected_rows)s,
    finished_at = now(), updated_at = now()
WHERE id = %(import_id)s
"""


@dataclass(frozen=True)
class ImportTarget:
    import_id: int
    campaign_id: int
    list_name: str
    filename: str
    region: str
    # phone_label per phone column, in column order (staged phone_index = position).
    labels: tuple[str, ...]
    # Columns that became contact fields; every other one goes into custom_fields.
    mapped_headers: tuple[str, ...]
    skip_dialed_days: int | None


@dataclass(frozen=True)
class ChunkCounts:
    imported: int = 0
    dnc: int = 0
    duplicates: int = 0
    skipped_recent: int = 0
    rejected_rows: int = 0

    def __add__(self, other: ChunkCounts) -> ChunkCounts:
        return ChunkCounts(
            self.imported + other.imported,
            self.dnc + other.dnc,
            self.duplicates + other.duplicates,
            self.skipped_recent + other.skipped_recent,
            self.rejected_rows + other.rejected_rows,
        )


def begin_import(conn: Connection, target: ImportTarget) -> int:
    """Inside the import's transaction: settings, locks, the new list (its id returned)."""
    # Bulk statements: sorts in memory, no JIT compilation (half a second of planning each),
    # no wait for the WAL flush at commit (no call depends on this commit reaching disk first).
    conn.execute("SET LOCAL work_mem = '128MB'")
    conn.execute("SET LOCAL jit = off")
    conn.execute("SET LOCAL synchronous_commit = off")
    conn.execute(
        _LOCKS,
        {"dnc_lock": DNC_LOCK, "import_lock": IMPORT_LOCK, "campaign_id": target.campaign_id},
    )
    row = conn.execute(
        _NEW_LIST,
        {
            "campaign_id": target.campaign_id,
            "name": target.list_name,
            "filename": target.filename,
            "region": target.region,
        },
    ).fetchone()
    assert row is not None
    return int(row[0])


def store_chunk(conn: Connection, target: ImportTarget, list_id: int) -> ChunkCounts:
    """The staged lines -> contacts and rejects; empties the stage for the next chunk."""
    labels = list(target.labels)
    # Counted by the statements that mark them; invalid lines the workers counted already.
    with _step("marks"):
        duplicates = conn.execute(
            _MARK_STORED, {"campaign_id": target.campaign_id, "list_id": list_id}
        ).rowcount
        duplicates += conn.execute(_MARK_DUPLICATES).rowcount
        recent = 0
        if target.skip_dialed_days is not None:
            recent = conn.execute(_MARK_RECENT, {"days": target.skip_dialed_days}).rowcount
    with _step("contacts"):
        inserted = conn.execute(
            _INSERT_CONTACTS,
            {
                "campaign_id": target.campaign_id,
                "list_id": list_id,
                "labels": labels,
                "person_prefix": f"{target.import_id}:",
                "mapped": list(target.mapped_headers),
            },
        ).fetchone()
    with _step("rejects"):
        rejected = conn.execute(
            _INSERT_REJECTS,
            {"import_id": target.import_id, "labels": labels, "several_phones": len(labels) > 1},
        ).fetchone()
        conn.execute("TRUNCATE import_stage")
    assert inserted is not None and rejected is not None
    return ChunkCounts(
        imported=int(inserted[0]),
        dnc=int(inserted[1]),
        duplicates=duplicates,
        skipped_recent=recent,
        rejected_rows=int(rejected[0]),
    )


def finish_import(
    conn: Connection,
    target: ImportTarget,
    list_id: int,
    totals: ChunkCounts,
    read: tuple[int, int],
) -> ImportCounts:
    """Marks the import done, in the transaction that stored its contacts. `read`: the rows
    and the invalid numbers the workers counted."""
    rows, invalid = read
    counts = ImportCounts(
        rows=rows,
        imported=totals.imported,
        dnc=totals.dnc,
        duplicates=totals.duplicates,
        invalid=invalid,
        skipped_recent=totals.skipped_recent,
        rejected_rows=totals.rejected_rows,
    )
    conn.execute(_DONE, {"import_id": target.import_id, "list_id": list_id, **counts.to_json()})
    return counts
