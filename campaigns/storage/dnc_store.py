"""Do-not-call entries in PostgreSQL: the global list (campaign_id NULL) and per-campaign lists.

Adding an entry blocks the matching contacts at once, in the same transaction: state 'dnc' with
the reason. Contacts in flight keep their state (a call is already up); the scheduler's claim
filters on dnc_entries too, so they are not dialed again either way. List imports take the DNC
lock shared and additions take it alone, so a contact imported while its number is being added
to a DNC list is blocked by one or the other. Bulk loading (dialer dnc import) stages the file
like a list import and ends in add_staged.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

import psycopg
from psycopg import sql
from psycopg.rows import dict_row

from campaigns.dnc import DncEntry
from campaigns.errors import Conflict, NotFound
from campaigns.storage.db import Connection
from campaigns.storage.import_store import DNC_LOCK
from campaigns.storage.paging import Page, PageRequest, order_by, page_of

SORTABLE = {"id": ("d", "id"), "added_at": ("d", "added_at"), "phone": ("d", "phone_e164")}

_SELECT = (
    "SELECT d.id, d.campaign_id, d.phone_e164, d.source, d.added_at, d.added_by FROM dnc_entries d"
)
# `IS NOT DISTINCT FROM`: NULL (the global list) matches NULL.
_SCOPE = " WHERE d.campaign_id IS NOT DISTINCT FROM %(campaign_id)s"
_PREFIX = " AND starts_with(d.phone_e164, %(phone_prefix)s)"

_LOCK = "SELECT pg_advisory_xact_lock(%(lock)s, 0)"

_REASON = """
CASE WHEN %(campaign_id)s::bigint IS NULL THEN 'on the global DNC list'
     ELSE 'on this campaign''s DNC list' END
|| ' (' || %(source)s::text || ', added ' || to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD') || ')'
"""

_ADD_STAGED = """
WITH fresh AS (
    INSERT INTO dnc_entries (campaign_id, phone_e164, source, added_by)
    SELECT DISTINCT %(campaign_id)s::bigint, phone_e164, %(source)s, %(added_by)s::bigint
    FROM import_stage
    WHERE reason IS NULL
    ON CONFLICT (campaign_id, phone_e164) DO NOTHING
    RETURNING 1
)
SELECT count(*) FROM fresh
"""

_BLOCK_STAGED = f"""
UPDATE contacts c
SET state = 'dnc', block_reason = {_REASON}
FROM (SELECT DISTINCT phone_e164 FROM import_stage WHERE reason IS NULL) n
WHERE c.phone_e164 = n.phone_e164
  AND (%(campaign_id)s::bigint IS NULL OR c.campaign_id = %(campaign_id)s::bigint)
  AND c.state NOT IN ('dnc', 'in_flight')
"""

_COUNT_STAGED = """
SELECT count(*) FILTER (WHERE reason IS NOT NULL),
       count(DISTINCT phone_e164) FILTER (WHERE reason IS NULL)
FROM import_stage
"""

_ADD_ONE = """
INSERT INTO dnc_entries (campaign_id, phone_e164, source, added_by)
VALUES (%(campaign_id)s, %(phone)s, %(source)s, %(added_by)s)
ON CONFLICT (campaign_id, phone_e164) DO NOTHING
"""

_BLOCK_ONE = f"""
UPDATE contacts c
SET state = 'dnc', block_reason = {_REASON}
WHERE c.phone_e164 = %(phone)s
  AND (%(campaign_id)s::bigint IS NULL OR c.campaign_id = %(campaign_id)s::bigint)
  AND c.state NOT IN ('dnc', 'in_flight')
"""

_FIND = """
SELECT e.phone_e164, e.campaign_id, c.name, e.source, e.added_at
FROM dnc_entries e LEFT JOIN campaigns c ON c.id = e.campaign_id
WHERE e.phone_e164 = %(phone)s
ORDER BY e.campaign_id NULLS FIRST
"""

_LIST = """
SELECT e.phone_e164, e.campaign_id, c.name, e.source, e.added_at
FROM dnc_entries e LEFT JOIN campaigns c ON c.id = e.campaign_id
WHERE e.campaign_id IS NOT DISTINCT FROM %(campaign_id)s
ORDER BY e.added_at DESC, e.id DESC
LIMIT %(limit)s
"""


def list_dnc(
    conn: Connection, campaign_id: int | None, page: PageRequest, phone_prefix: str | None = None
) -> Page[DncEntry]:
    page = page.checked(tuple(SORTABLE))
    text = _SELECT + _SCOPE + (_PREFIX if phone_prefix else "")
    query = sql.SQL("{} {}").format(sql.SQL(text), order_by(page, SORTABLE))
    with conn.cursor(row_factory=dict_row) as cur:
        rows = cur.execute(
            query, {"campaign_id": campaign_id, "phone_prefix": phone_prefix}
        ).fetchall()
    return page_of([DncEntry(**row) for row in rows], page)


def add_dnc(
    conn: Connection, campaign_id: int | None, phone_e164: str, source: str, added_by: int | None
) -> DncEntry:
    params: dict[str, Any] = {
        "campaign_id": campaign_id,
        "phone_e164": phone_e164,
        "source": source,
        "added_by": added_by,
    }
    try:
        with conn.transaction(), conn.cursor(row_factory=dict_row) as cur:
            cur.execute(_LOCK, {"lock": DNC_LOCK})
            row = cur.execute(
                "INSERT INTO dnc_entries (campaign_id, phone_e164, source, added_by)"
                " VALUES (%(campaign_id)s, %(phone_e164)s, %(source)s, %(added_by)s)"
                " RETURNING id, campaign_id, phone_e164, source, added_at, added_by",
                params,
            ).fetchone()
            cur.execute(_BLOCK_ONE, {**params, "phone": phone_e164})
    except psycopg.errors.UniqueViolation:
        raise Conflict(f"{phone_e164} is already on this do-not-call list") from None
    except psycopg.errors.ForeignKeyViolation:
        raise NotFound(f"no campaign with id {campaign_id}") from None
    assert row is not None
    return DncEntry(**row)


def remove_dnc(conn: Connection, entry_id: int) -> DncEntry:
    with conn.transaction(), conn.cursor(row_factory=dict_row) as cur:
        row = cur.execute(
            "DELETE FROM dnc_entries WHERE id = %(id)s"
            " RETURNING id, campaign_id, phone_e164, source, added_at, added_by",
            {"id": entry_id},
        ).fetchone()
    if row is None:
        raise NotFound(f"no do-not-call entry with id {entry_id}")
    return DncEntry(**row)


def get_dnc(conn: Connection, entry_id: int) -> DncEntry:
    with conn.cursor(row_factory=dict_row) as cur:
        row = cur.execute(_SELECT + " WHERE d.id = %(id)s", {"id": entry_id}).fetchone()
    if row is None:
        raise NotFound(f"no do-not-call entry with id {entry_id}")
    return DncEntry(**row)


@dataclass(frozen=True)
class DncListing:
    """An entry with its campaign's name, for people reading lists."""

    phone_e164: str
    campaign_id: int | None
    campaign: str | None
    source: str
    added_at: datetime


@dataclass(frozen=True)
class DncAdded:
    # Distinct valid numbers read; entries that were new; contacts blocked now.
    numbers: int
    added: int
    blocked: int
    invalid: int


def add_staged(
    conn: Connection, campaign_id: int | None, source: str, added_by: int | None
) -> DncAdded:
    """Valid staged numbers -> DNC entries, and block their contacts. Inside the staging
    transaction."""
    params = {"campaign_id": campaign_id, "source": source, "added_by": added_by}
    conn.execute(_LOCK, {"lock": DNC_LOCK})
    added = conn.execute(_ADD_STAGED, params).fetchone()
    blocked = conn.execute(_BLOCK_STAGED, params).rowcount
    counts = conn.execute(_COUNT_STAGED).fetchone()
    assert added is not None and counts is not None
    return DncAdded(int(counts[1]), int(added[0]), blocked, int(counts[0]))


def add_number(
    conn: Connection, phone_e164: str, campaign_id: int | None, source: str, added_by: int | None
) -> DncAdded:
    params = {
        "campaign_id": campaign_id,
        "phone": phone_e164,
        "source": source,
        "added_by": added_by,
    }
    with conn.transaction():
        conn.execute(_LOCK, {"lock": DNC_LOCK})
        added = conn.execute(_ADD_ONE, params).rowcount
        blocked = conn.execute(_BLOCK_ONE, params).rowcount
    return DncAdded(1, added, blocked, 0)


def find_number(conn: Connection, phone_e164: str) -> list[DncListing]:
    return [DncListing(*row) for row in conn.execute(_FIND, {"phone": phone_e164})]


def list_entries(conn: Connection, campaign_id: int | None, limit: int = 100) -> list[DncListing]:
    rows = conn.execute(_LIST, {"campaign_id": campaign_id, "limit": limit})
    return [DncListing(*row) for row in rows]
