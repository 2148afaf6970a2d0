"""What the agent sees when a call connects: the call, the contact's fields from the list, the
contact's earlier calls (outbound attempts and inbound calls) with their dispositions and notes,
and the campaign's dispositions.

Outbound calls are read by attempt id, inbound calls (docs/inbound.md) by their inbound call id;
both give the same ScreenPop, the inbound one with `inbound` (caller, queue, number called, time
waited) set. Small reads by primary key and by the contact's indexes (call_attempts_contact,
inbound_calls_contact); cheap enough to run on every connect of every agent.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from psycopg import Cursor
from psycopg.rows import DictRow, dict_row

from campaigns.dispositions import Disposition
from campaigns.storage import disposition_store
from campaigns.storage.db import Connection

# Earlier calls shown: enough for any contact a campaign's attempt cap allows, and a bound.
PREVIOUS_LIMIT = 25

_ATTEMPTS = """
SELECT a.id, a.state, a.outcome, a.called_number, a.agent_id,
       nullif(coalesce(nullif(u.display_name, ''), u.username), '') AS agent_name,
       a.queued_at, a.answer_at, a.agent_connect_at, a.hangup_at,
       a.disposition, d.label AS disposition_label, a.disposition_at, a.notes,
       'outbound' AS direction
FROM call_attempts a
LEFT JOIN agents g ON g.id = a.agent_id
LEFT JOIN users u ON u.id = g.user_id
LEFT JOIN dispositions d ON d.campaign_id = a.campaign_id AND d.code = a.disposition
"""

# An inbound call in the same shape as an attempt: the customer's number (the caller) as
# `called_number`, offered as `queued_at`, the agent's answer as both answer times.
_INBOUND = """
SELECT i.id, CASE WHEN i.outcome IS NULL THEN 'in_progress' ELSE 'ended' END AS state,
       i.outcome, i.caller_number AS called_number, i.agent_id,
       nullif(coalesce(nullif(u.display_name, ''), u.username), '') AS agent_name,
       i.offered_at AS queued_at, i.answered_at AS answer_at,
       i.answered_at AS agent_connect_at, i.ended_at AS hangup_at,
       i.disposition, d.label AS disposition_label, i.disposition_at, i.notes,
       'inbound' AS direction
FROM inbound_calls i
LEFT JOIN inbound_queues q ON q.id = i.queue_id
LEFT JOIN contacts k ON k.id = i.contact_id
LEFT JOIN agents g ON g.id = i.agent_id
LEFT JOIN users u ON u.id = g.user_id
LEFT JOIN dispositions d
    ON d.campaign_id = coalesce(q.campaign_id, k.campaign_id) AND d.code = i.disposition
"""

_THIS = """
SELECT a.campaign_id, c.name AS campaign_name, c.recording AS campaign_recording, a.contact_id
FROM call_attempts a JOIN campaigns c ON c.id = a.campaign_id
WHERE a.id = %(id)s
"""

# The campaign of an inbound call: its queue's, else (a queue with no campaign) the known
# caller's contact's.
_THIS_INBOUND = """
SELECT c.id AS campaign_id, c.name AS campaign_name, c.recording AS campaign_recording,
       i.contact_id, i.id, i.caller_number, i.did, i.queue_id, q.name AS queue_name,
       i.offered_at, i.answered_at, i.outcome, i.transferred_attempt_id,
       greatest(extract(epoch FROM coalesce(i.answered_at, i.ended_at, %(now)s) - i.offered_at),
                0)::double precision AS waited_s
FROM inbound_calls i
LEFT JOIN inbound_queues q ON q.id = i.queue_id
LEFT JOIN contacts k ON k.id = i.contact_id
LEFT JOIN campaigns c ON c.id = coalesce(q.campaign_id, k.campaign_id)
WHERE i.id = %(id)s
"""

_CONTACT = """
SELECT k.id, k.phone_e164, k.phone_type, k.phone_label, k.first_name, k.last_name,
       k.postal_code, k.time_zones, k.custom_fields, k.state, k.attempts, l.name AS list_name
FROM contacts k JOIN contact_lists l ON l.id = k.list_id
WHERE k.id = %(id)s
"""

_EARLIER = " ORDER BY queued_at DESC, id DESC LIMIT %(limit)s"


@dataclass(frozen=True)
class ScreenPop:
    # The call: an attempt, or an inbound call in the attempt's shape (`direction` says which).
    attempt: dict[str, Any]
    campaign_id: int
    campaign_name: str
    # None when the contact was deleted since the call was placed, or the caller is unknown.
    contact: dict[str, Any] | None
    # The contact's other calls, both directions, newest first.
    previous: list[dict[str, Any]]
    dispositions: list[Disposition]
    # The campaign's recording mode (never, on_demand, always): which Record button to offer.
    campaign_recording: str = "never"
    # Inbound calls only: caller, number called, queue, time waited (see inbound_screen_pop).
    inbound: dict[str, Any] | None = None


def attempt_agent(conn: Connection, attempt_id: int) -> tuple[bool, int | None]:
    """(exists, agent_id recorded on the attempt)."""
    row = conn.execute(
        "SELECT agent_id FROM call_attempts WHERE id = %(id)s", {"id": attempt_id}
    ).fetchone()
    return (False, None) if row is None else (True, row[0])


def inbound_agent(conn: Connection, call_id: int) -> tuple[bool, int | None]:
    """(exists, agent_id recorded on the inbound call)."""
    row = conn.execute(
        "SELECT agent_id FROM inbound_calls WHERE id = %(id)s", {"id": call_id}
    ).fetchone()
    return (False, None) if row is None else (True, row[0])


def screen_pop(conn: Connection, attempt_id: int) -> ScreenPop | None:
    with conn.cursor(row_factory=dict_row) as cur:
        this = cur.execute(_THIS, {"id": attempt_id}).fetchone()
        if this is None:
            return None
        attempt = cur.execute(_ATTEMPTS + " WHERE a.id = %(id)s", {"id": attempt_id}).fetchone()
        assert attempt is not None
        contact, previous = _contact_and_history(cur, this["contact_id"], attempt_id=attempt_id)
    return _pop(conn, this, attempt, contact, previous)


def inbound_screen_pop(conn: Connection, call_id: int, now: datetime) -> ScreenPop | None:
    """The pop of an inbound call: the caller's contact when their number is known (matched when
    the call was offered, inbound_store.offer_call), and `inbound`: caller, number called,
    queue, offered/answered times and seconds waited (until answered; until `now` while still
    waiting). None when there is no such call or it has no campaign (it can reach no agent)."""
    with conn.cursor(row_factory=dict_row) as cur:
        this = cur.execute(_THIS_INBOUND, {"id": call_id, "now": now}).fetchone()
        if this is None or this["campaign_id"] is None:
            return None
        call = cur.execute(_INBOUND + " WHERE i.id = %(id)s", {"id": call_id}).fetchone()
        assert call is not None
        contact, previous = _contact_and_history(cur, this["contact_id"], inbound_id=call_id)
    inbound = {
        "id": this["id"],
        "caller_number": this["caller_number"],
        "did": this["did"],
        "queue_id": this["queue_id"],
        "queue_name": this["queue_name"],
        "offered_at": this["offered_at"],
        "answered_at": this["answered_at"],
        "waited_s": round(float(this["waited_s"]), 1),
        "known_caller": contact is not None,
        # An outbound call's customer transferred to this queue by its agent: that attempt.
        "transferred_attempt_id": this["transferred_attempt_id"],
    }
    return _pop(conn, this, call, contact, previous, inbound)


def _contact_and_history(
    cur: Cursor[DictRow],
    contact_id: int | None,
    *,
    attempt_id: int = 0,
    inbound_id: int = 0,
) -> tuple[dict[str, Any] | None, list[dict[str, Any]]]:
    """The contact and their calls in both directions but the one on screen, newest first."""
    if contact_id is None:
        return None, []
    contact = cur.execute(_CONTACT, {"id": contact_id}).fetchone()
    params = {"contact_id": contact_id, "limit": PREVIOUS_LIMIT}
    attempts = cur.execute(
        f"SELECT * FROM ({_ATTEMPTS} WHERE a.contact_id = %(contact_id)s"
        f" AND a.id <> %(attempt)s) t {_EARLIER}",
        params | {"attempt": attempt_id},
    ).fetchall()
    inbound = cur.execute(
        f"SELECT * FROM ({_INBOUND} WHERE i.contact_id = %(contact_id)s"
        f" AND i.id <> %(inbound)s) t {_EARLIER}",
        params | {"inbound": inbound_id},
    ).fetchall()
    both = sorted(attempts + inbound, key=lambda row: row["queued_at"], reverse=True)
    return contact, both[:PREVIOUS_LIMIT]


def _pop(
    conn: Connection,
    this: dict[str, Any],
    call: dict[str, Any],
    contact: dict[str, Any] | None,
    previous: list[dict[str, Any]],
    inbound: dict[str, Any] | None = None,
) -> ScreenPop:
    return ScreenPop(
        attempt=call,
        campaign_id=int(this["campaign_id"]),
        campaign_name=str(this["campaign_name"]),
        contact=contact,
        previous=previous,
        dispositions=disposition_store.list_dispositions(conn, int(this["campaign_id"])),
        campaign_recording=str(this["campaign_recording"]),
        inbound=inbound,
    )


_SUMMARY = """
SELECT a.id AS attempt_id, a.campaign_id, c.name AS campaign_name, a.called_number,
       trim(coalesce(k.first_name, '') || ' ' || coalesce(k.last_name, '')) AS contact_name,
       a.state, a.kind
FROM call_attempts a
JOIN campaigns c ON c.id = a.campaign_id
LEFT JOIN contacts k ON k.id = a.contact_id
WHERE a.id = %(id)s
"""

# An inbound call as the agent's live state holds it: its id negated (docs/inbound.md).
_INBOUND_SUMMARY = """
SELECT -i.id AS attempt_id, c.id AS campaign_id, c.name AS campaign_name,
       i.caller_number AS called_number,
       trim(coalesce(k.first_name, '') || ' ' || coalesce(k.last_name, '')) AS contact_name,
       CASE WHEN i.outcome IS NOT NULL THEN 'ended'
            WHEN i.answered_at IS NOT NULL THEN 'connected' ELSE 'queued' END AS state,
       'inbound' AS kind
FROM inbound_calls i
LEFT JOIN inbound_queues q ON q.id = i.queue_id
LEFT JOIN contacts k ON k.id = i.contact_id
JOIN campaigns c ON c.id = coalesce(q.campaign_id, k.campaign_id)
WHERE i.id = %(id)s
"""


def call_summary(conn: Connection, attempt_id: int) -> dict[str, Any] | None:
    """The one line a console shows for the call an agent holds: an attempt, or (a negative
    reference) an inbound call."""
    query, key = (_SUMMARY, attempt_id) if attempt_id > 0 else (_INBOUND_SUMMARY, -attempt_id)
    with conn.cursor(row_factory=dict_row) as cur:
        return cur.execute(query, {"id": key}).fetchone()
