"""Reading inbound calls page by page for the dashboard, filtered and sorted by allow-listed
fields only (the inbound side of `attempt_query`)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from psycopg import sql
from psycopg.rows import dict_row

from campaigns.storage.db import Connection
from campaigns.storage.paging import Page, PageRequest, filter_clause, order_by, page_of

SORTABLE = {"id": ("i", "id"), "offered_at": ("i", "offered_at")}


@dataclass(frozen=True)
class InboundCallFilter:
    # The queue's campaign; a queue without one (or deleted) is only in the unfiltered list.
    campaign_id: int | None = None
    queue_id: int | None = None
    agent_id: int | None = None
    outcome: str | None = None
    disposition: str | None = None
    since: datetime | None = None
    until: datetime | None = None
    caller_prefix: str | None = None
    recorded: bool | None = None


@dataclass(frozen=True)
class InboundCallView:
    id: int
    queue_id: int | None
    queue_name: str | None
    campaign_id: int | None
    did: str
    caller_number: str
    contact_id: int | None
    agent_id: int | None
    offered_at: datetime
    answered_at: datetime | None
    abandoned_at: datetime | None
    ended_at: datetime | None
    outcome: str | None
    disposition: str | None
    notes: str | None
    transferred_attempt_id: int | None
    # A recording is kept (made, and not yet deleted at the end of its retention).
    recorded: bool


_CLAUSES = {
    "campaign_id": "q.campaign_id = %(campaign_id)s",
    "queue_id": "i.queue_id = %(queue_id)s",
    "agent_id": "i.agent_id = %(agent_id)s",
    "outcome": "i.outcome = %(outcome)s",
    "disposition": "i.disposition = %(disposition)s",
    "since": "i.offered_at >= %(since)s",
    "until": "i.offered_at < %(until)s",
    "caller_prefix": "starts_with(i.caller_number, %(caller_prefix)s)",
    "recorded": "(i.recording_path IS NOT NULL AND i.recording_deleted_at IS NULL) = %(recorded)s",
}

_SELECT = """
SELECT i.id, i.queue_id, q.name AS queue_name, q.campaign_id, i.did, i.caller_number,
       i.contact_id, i.agent_id, i.offered_at, i.answered_at, i.abandoned_at, i.ended_at,
       i.outcome, i.disposition, i.notes, i.transferred_attempt_id,
       (i.recording_path IS NOT NULL AND i.recording_deleted_at IS NULL) AS recorded
FROM inbound_calls i LEFT JOIN inbound_queues q ON q.id = i.queue_id
"""


def list_inbound_calls(
    conn: Connection, filters: InboundCallFilter, page: PageRequest
) -> Page[InboundCallView]:
    page = page.checked(tuple(SORTABLE))
    condition, params = filter_clause(filters, _CLAUSES)
    query = sql.SQL("{} {} {}").format(sql.SQL(_SELECT), condition, order_by(page, SORTABLE))
    with conn.cursor(row_factory=dict_row) as cur:
        rows = cur.execute(query, params).fetchall()
    return page_of([InboundCallView(**row) for row in rows], page)


def get_inbound_call(conn: Connection, call_id: int) -> InboundCallView | None:
    with conn.cursor(row_factory=dict_row) as cur:
        row = cur.execute(f"{_SELECT} WHERE i.id = %(id)s", {"id": call_id}).fetchone()
    return None if row is None else InboundCallView(**row)
