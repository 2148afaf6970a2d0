"""Reading contacts page by page, filtered and sorted by allow-listed fields only (see paging)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from psycopg import sql
from psycopg.rows import dict_row

from campaigns.storage.db import Connection
from campaigns.storage.paging import Page, PageRequest, filter_clause, order_by, page_of

# Public sort name -> (table alias, column).
SORTABLE = {
    "id": ("c", "id"),
    "created_at": ("c", "created_at"),
    "last_attempt_at": ("c", "last_attempt_at"),
    "next_eligible_at": ("c", "next_eligible_at"),
    "attempts": ("c", "attempts"),
    "phone": ("c", "phone_e164"),
    "state": ("c", "state"),
    "last_name": ("c", "last_name"),
}

CONTACT_STATES = ("dialable", "in_flight", "callback", "done", "exhausted", "dnc")


@dataclass(frozen=True)
class ContactFilter:
    campaign_id: int | None = None
    list_id: int | None = None
    state: str | None = None
    # Digits with an optional leading '+': matched against the start of the E.164 number.
    phone_prefix: str | None = None
    last_outcome: str | None = None


@dataclass(frozen=True)
class ContactView:
    id: int
    campaign_id: int
    list_id: int
    phone_e164: str
    phone_type: str
    first_name: str
    last_name: str
    postal_code: str | None
    time_zones: list[str]
    custom_fields: dict[str, Any]
    state: str
    block_reason: str | None
    attempts: int
    next_eligible_at: datetime | None
    last_outcome: str | None
    last_attempt_at: datetime | None
    created_at: datetime


# Fixed SQL per filter field: a filter adds its clause, its value is a bound parameter.
_CLAUSES = {
    "campaign_id": "c.campaign_id = %(campaign_id)s",
    "list_id": "c.list_id = %(list_id)s",
    "state": "c.state = %(state)s",
    "phone_prefix": "starts_with(c.phone_e164, %(phone_prefix)s)",
    "last_outcome": "c.last_outcome = %(last_outcome)s",
}

_SELECT = """
SELECT c.id, c.campaign_id, c.list_id, c.phone_e164, c.phone_type, c.first_name, c.last_name,
       c.postal_code, c.time_zones, c.custom_fields, c.state, c.block_reason, c.attempts,
       CASE WHEN isfinite(c.next_eligible_at) THEN c.next_eligible_at END AS next_eligible_at,
       c.last_outcome, c.last_attempt_at, c.created_at
FROM contacts c
"""


def list_contacts(conn: Connection, filters: ContactFilter, page: PageRequest) -> Page[ContactView]:
    page = page.checked(tuple(SORTABLE))
    condition, params = filter_clause(filters, _CLAUSES)
    query = sql.SQL("{} {} {}").format(sql.SQL(_SELECT), condition, order_by(page, SORTABLE))
    with conn.cursor(row_factory=dict_row) as cur:
        rows = cur.execute(query, params).fetchall()
    return page_of([ContactView(**row) for row in rows], page)
