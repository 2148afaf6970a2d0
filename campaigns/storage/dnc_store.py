"""Do-not-call entries in PostgreSQL: the global list (campaign_id NULL) and per-campaign lists.

Bulk loading belongs to the list import service; this module adds, removes and reads entries.
"""

from __future__ import annotations

from typing import Any

import psycopg
from psycopg import sql
from psycopg.rows import dict_row

from campaigns.dnc import DncEntry
from campaigns.errors import Conflict, NotFound
from campaigns.storage.db import Connection
from campaigns.storage.paging import Page, PageRequest, order_by, page_of

SORTABLE = {"id": ("d", "id"), "added_at": ("d", "added_at"), "phone": ("d", "phone_e164")}

_SELECT = (
    "SELECT d.id, d.campaign_id, d.phone_e164, d.source, d.added_at, d.added_by FROM dnc_entries d"
)
# `IS NOT DISTINCT FROM`: NULL (the global list) matches NULL.
_SCOPE = " WHERE d.campaign_id IS NOT DISTINCT FROM %(campaign_id)s"
_PREFIX = " AND starts_with(d.phone_e164, %(phone_prefix)s)"


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
            row = cur.execute(
                "INSERT INTO dnc_entries (campaign_id, phone_e164, source, added_by)"
                " VALUES (%(campaign_id)s, %(phone_e164)s, %(source)s, %(added_by)s)"
                " RETURNING id, campaign_id, phone_e164, source, added_at, added_by",
                params,
            ).fetchone()
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
