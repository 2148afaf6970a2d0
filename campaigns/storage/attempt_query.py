"""Reading call attempts page by page, filtered and sorted by allow-listed fields only."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from psycopg import sql
from psycopg.rows import dict_row

from campaigns.storage.db import Connection
from campaigns.storage.paging import Page, PageRequest, filter_clause, order_by, page_of

SORTABLE = {
    "id": ("a", "id"),
    "queued_at": ("a", "queued_at"),
    "answer_at": ("a", "answer_at"),
    "hangup_at": ("a", "hangup_at"),
    "outcome": ("a", "outcome"),
    "sip_status": ("a", "sip_status"),
    "called_number": ("a", "called_number"),
}


@dataclass(frozen=True)
class AttemptFilter:
    campaign_id: int | None = None
    # An agent's own calls: the dashboard forces this for users with role agent.
    agent_id: int | None = None
    contact_id: int | None = None
    state: str | None = None
    outcome: str | None = None
    disposition: str | None = None
    since: datetime | None = None
    until: datetime | None = None
    number_prefix: str | None = None
    # With a recording still kept (True) or without one (False).
    recorded: bool | None = None


@dataclass(frozen=True)
class AttemptView:
    id: int
    campaign_id: int
    contact_id: int | None
    kind: str
    called_number: str
    caller_id: str
    state: str
    outcome: str | None
    sip_status: int | None
    sip_reason: str | None
    agent_id: int | None
    queued_at: datetime
    dial_at: datetime | None
    answer_at: datetime | None
    agent_connect_at: datetime | None
    hangup_at: datetime | None
    hangup_by: str | None
    amd_result: str | None
    amd_cause: str | None
    amd_decision_ms: int | None
    # A MACHINE verdict sent to an agent because drawn for checking (docs/amd.md); None when
    # there was no MACHINE verdict.
    amd_machine_checked: bool | None
    disposition: str | None
    disposition_at: datetime | None
    notes: str | None
    # A recording is kept (made, and not yet deleted at the end of its retention).
    recorded: bool


_CLAUSES = {
    "campaign_id": "a.campaign_id = %(campaign_id)s",
    "agent_id": "a.agent_id = %(agent_id)s",
    "contact_id": "a.contact_id = %(contact_id)s",
    "state": "a.state = %(state)s",
    "outcome": "a.outcome = %(outcome)s",
    "disposition": "a.disposition = %(disposition)s",
    "since": "a.queued_at >= %(since)s",
    "until": "a.queued_at < %(until)s",
    "number_prefix": "starts_with(a.called_number, %(number_prefix)s)",
    "recorded": "(a.recording_path IS NOT NULL AND a.recording_deleted_at IS NULL) = %(recorded)s",
}

_SELECT = """
SELECT a.id, a.campaign_id, a.contact_id, a.kind, a.called_number, a.caller_id, a.state,
       a.outcome, a.sip_status, a.sip_reason, a.agent_id, a.queued_at, a.dial_at, a.answer_at,
       a.agent_connect_at, a.hangup_at, a.hangup_by, a.amd_result, a.amd_cause,
       a.amd_decision_ms, a.amd_machine_checked, a.disposition, a.disposition_at, a.notes,
       (a.recording_path IS NOT NULL AND a.recording_deleted_at IS NULL) AS recorded
FROM call_attempts a
"""


def list_attempts(conn: Connection, filters: AttemptFilter, page: PageRequest) -> Page[AttemptView]:
    page = page.checked(tuple(SORTABLE))
    condition, params = filter_clause(filters, _CLAUSES)
    query = sql.SQL("{} {} {}").format(sql.SQL(_SELECT), condition, order_by(page, SORTABLE))
    with conn.cursor(row_factory=dict_row) as cur:
        rows = cur.execute(query, params).fetchall()
    return page_of([AttemptView(**row) for row in rows], page)


def get_attempt(conn: Connection, attempt_id: int) -> AttemptView | None:
    with conn.cursor(row_factory=dict_row) as cur:
        row = cur.execute(f"{_SELECT} WHERE a.id = %(id)s", {"id": attempt_id}).fetchone()
    return None if row is None else AttemptView(**row)
