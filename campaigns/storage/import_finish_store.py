"""The end of a list import: staged lines -> contacts, rejects and counts, set-based.

Runs in the transaction that staged the lines. Each step is one statement over the whole stage;
nothing loops per row in Python.
"""

from __future__ import annotations

from dataclasses import dataclass

from campaigns.contact_import.status import ImportCounts
from campaigns.storage.db import Connection
from campaigns.storage.import_store import DNC_LOCK, IMPORT_LOCK

_LOCKS = """
SELECT pg_advisory_xact_lock_shared(%(dnc_lock)s, 0),
       pg_advisory_xact_lock(%(import_lock)s, %(campaign_id)s::integer)
"""

_NEW_LIST = """
INSERT INTO contact_lists (campaign_id, name, source_filename, default_region)
VALUES (%(campaign_id)s, %(name)s, %(filename)s, %(region)s)
RETURNING id
"""

# Later copies of a number in the file; the first (by row, then phone column) is kept. A hash
# aggregate finds the few numbers written twice without sorting the whole stage.
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

_MARK_IN_CAMPAIGN = """
UPDATE import_stage s
SET skip = 'in_campaign', reason = 'already in this campaign'
FROM contacts c
WHERE s.reason IS NULL AND c.campaign_id = %(campaign_id)s AND c.phone_e164 = s.phone_e164
"""

_MARK_RECENT = """
UPDATE import_stage s
SET skip = 'recent', reason = 'dialed in the last ' || %(days)s::integer || ' days'
WHERE s.reason IS NULL AND s.phone_e164 IN (
    SELECT called_number FROM call_attempts
    WHERE dial_at >= now() - make_interval(days => %(days)s::integer))
"""

# The staged numbers on a DNC list that applies (the global one, the campaign's), with the reason
# their contacts are stored as not dialable. Joined from the stage side, so the cost follows the
# upload, not the size of a national registry copy.
_DNC_HITS = """
CREATE TEMP TABLE import_dnc ON COMMIT DROP AS
SELECT DISTINCT ON (e.phone_e164) e.phone_e164,
       CASE WHEN e.campaign_id IS NULL THEN 'on the global DNC list'
            ELSE 'on this campaign''s DNC list' END
       || ' (' || e.source || ', added '
       || to_char(e.added_at AT TIME ZONE 'UTC', 'YYYY-MM-DD') || ')' AS reason
FROM import_stage s
JOIN dnc_entries e ON e.phone_e164 = s.phone_e164
WHERE s.reason IS NULL AND (e.campaign_id IS NULL OR e.campaign_id = %(campaign_id)s)
ORDER BY e.phone_e164, e.campaign_id NULLS FIRST
"""

# ORDER BY: the unique (campaign, phone) and phone indexes then fill left to right instead of
# splitting pages all over. No ON CONFLICT: duplicates are marked above under the campaign's
# import lock, and its per-row speculative insertion costs a fifth of the insert; a contact another
# writer adds meanwhile fails the import (all or nothing), which a retry resolves.
_INSERT_CONTACTS = """
WITH inserted AS (
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
    LEFT JOIN import_dnc d ON d.phone_e164 = s.phone_e164
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

_COUNT_SKIPS = """
SELECT count(*) FILTER (WHERE reason IS NOT NULL AND skip IS NULL),
       count(*) FILTER (WHERE skip IN ('duplicate', 'in_campaign')),
       count(*) FILTER (WHERE skip = 'recent')
FROM import_stage
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
    rows: int


def finish_import(conn: Connection, target: ImportTarget) -> tuple[int, ImportCounts]:
    """Staged lines -> a new contact list; returns its id and the counts. Call inside the
    transaction that staged them; the import's list_imports row is marked done in it too."""
    # A bulk statement: sorts in memory, no JIT compilation (half a second of planning here),
    # no wait for the WAL flush at commit (no call depends on this commit reaching disk first).
    conn.execute("SET LOCAL work_mem = '256MB'")
    conn.execute("SET LOCAL jit = off")
    conn.execute("SET LOCAL synchronous_commit = off")
    conn.execute("ANALYZE import_stage")  # temporary tables are never auto-analysed
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
    list_id = int(row[0])
    conn.execute(_MARK_DUPLICATES)
    conn.execute(_MARK_IN_CAMPAIGN, {"campaign_id": target.campaign_id})
    if target.skip_dialed_days is not None:
        conn.execute(_MARK_RECENT, {"days": target.skip_dialed_days})
    conn.execute(_DNC_HITS, {"campaign_id": target.campaign_id})
    labels = list(target.labels)
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
    rejected = conn.execute(
        _INSERT_REJECTS,
        {"import_id": target.import_id, "labels": labels, "several_phones": len(labels) > 1},
    ).fetchone()
    skips = conn.execute(_COUNT_SKIPS).fetchone()
    assert inserted is not None and rejected is not None and skips is not None
    imported, dnc = int(inserted[0]), int(inserted[1])
    invalid, duplicates, recent = (int(value) for value in skips)
    counts = ImportCounts(
        rows=target.rows,
        imported=imported,
        dnc=dnc,
        duplicates=duplicates,
        invalid=invalid,
        skipped_recent=recent,
        rejected_rows=int(rejected[0]),
    )
    conn.execute(_DONE, {"import_id": target.import_id, "list_id": list_id, **counts.to_json()})
    return list_id, counts
