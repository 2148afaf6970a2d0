"""Inbound calls in Postgres: DIDs routed to queues, one row per offered call, callbacks.

A row is inserted when the INVITE is taken and its outcome written once, at the end: the report
roll-up (report_inbound_hours) folds only rows with an outcome, so a call is counted exactly once.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

from campaigns.errors import NotFound, ValidationError
from campaigns.storage.db import Connection


class InboundOutcome(StrEnum):
    ANSWERED = "answered"  # an agent took it
    ABANDONED = "abandoned"  # the caller hung up while queued
    VOICEMAIL = "voicemail"  # max wait passed: the caller left (or was offered) a message
    CALLBACK = "callback"  # max wait passed: a callback was scheduled
    REJECTED = "rejected"  # not taken at all (unknown number, no room); not "offered" in reports


class Overflow(StrEnum):
    VOICEMAIL = "voicemail"
    CALLBACK = "callback"


@dataclass(frozen=True)
class QueueRoute:
    """Where calls to one DID go."""

    queue_id: int
    queue_name: str
    campaign_id: int | None
    campaign_name: str
    max_wait_s: int
    overflow: Overflow
    announcement: str | None
    music_on_hold: str | None
    # Seconds of waiting between two "you are caller number N" announcements; 0: never.
    announce_place_s: int = 30


_QUEUE_COLUMNS = """
SELECT q.id, q.name, q.campaign_id, coalesce(c.name, q.name), q.max_wait_s, q.overflow,
       q.announcement, q.music_on_hold, q.announce_place_s
"""
_ROUTE = (
    _QUEUE_COLUMNS
    + """
FROM dids d JOIN inbound_queues q ON q.id = d.queue_id
LEFT JOIN campaigns c ON c.id = q.campaign_id
WHERE d.number = %(number)s
"""
)
_QUEUES = (
    _QUEUE_COLUMNS
    + """
FROM inbound_queues q LEFT JOIN campaigns c ON c.id = q.campaign_id ORDER BY q.id
"""
)


def route_did(conn: Connection, number: str) -> QueueRoute | None:
    row = conn.execute(_ROUTE, {"number": number}).fetchone()
    return None if row is None else _route(row)


def all_routes(conn: Connection) -> list[QueueRoute]:
    """Every queue, e.g. to make its hold audio before the first caller waits."""
    return [_route(row) for row in conn.execute(_QUEUES).fetchall()]


def _route(row: tuple[Any, ...]) -> QueueRoute:
    qid, name, campaign_id, campaign_name, max_wait, overflow, announcement, music, place = row
    return QueueRoute(
        int(qid),
        str(name),
        None if campaign_id is None else int(campaign_id),
        str(campaign_name),
        int(max_wait),
        Overflow(str(overflow)),
        None if announcement is None else str(announcement),
        None if music is None else str(music),
        int(place),
    )


def add_queue(
    conn: Connection,
    name: str,
    campaign_id: int | None,
    dids: list[str],
    *,
    max_wait_s: int = 120,
    overflow: Overflow = Overflow.VOICEMAIL,
    announce_place_s: int = 30,
) -> int:
    """A queue and the numbers that reach it; a number already routed elsewhere is refused."""
    with conn.transaction():
        if campaign_id is not None:
            found = conn.execute("SELECT 1 FROM campaigns WHERE id = %s", (campaign_id,))
            if found.fetchone() is None:
                raise NotFound(f"campaign {campaign_id}")
        taken = conn.execute("SELECT number FROM dids WHERE number = ANY(%s)", (dids,)).fetchall()
        if taken:
            raise ValidationError([f"dids: {row[0]} already routed" for row in taken])
        row = conn.execute(
            "INSERT INTO inbound_queues (name, campaign_id, max_wait_s, overflow, announce_place_s)"
            " VALUES (%(name)s, %(campaign)s, %(max_wait)s, %(overflow)s, %(place)s) RETURNING id",
            {
                "name": name,
                "campaign": campaign_id,
                "max_wait": max_wait_s,
                "overflow": overflow,
                "place": announce_place_s,
            },
        ).fetchone()
        assert row is not None
        queue_id = int(row[0])
        for number in dids:
            conn.execute("INSERT INTO dids (number, queue_id) VALUES (%s, %s)", (number, queue_id))
    return queue_id


@dataclass(frozen=True)
class TransferQueue:
    """A queue an outbound call of its campaign can be transferred to, and the number (its
    lowest) the transfer's leg calls it by."""

    queue_id: int
    name: str
    did: str


_TRANSFER_QUEUES = """
SELECT q.id, q.name, min(d.number) FROM inbound_queues q JOIN dids d ON d.queue_id = q.id
WHERE q.campaign_id = %(campaign)s AND (%(queue)s::bigint IS NULL OR q.id = %(queue)s)
GROUP BY q.id, q.name ORDER BY q.name, q.id
"""


def transfer_queues(
    conn: Connection, campaign_id: int, queue_id: int | None = None
) -> list[TransferQueue]:
    """The queues a call of ``campaign_id`` may be transferred to (the allow rule: the
    campaign's own queues that have a number), or just ``queue_id`` if it is one of them."""
    rows = conn.execute(_TRANSFER_QUEUES, {"campaign": campaign_id, "queue": queue_id})
    return [TransferQueue(int(q), str(name), str(did)) for q, name, did in rows.fetchall()]


# Two statements rather than one with "campaign IS NULL OR": each keeps its index plan (the
# contacts' unique (campaign_id, phone_e164) key; a prepared generic plan would not).
_CAMPAIGN_CONTACT = (
    "SELECT id FROM contacts WHERE campaign_id = %(campaign)s AND phone_e164 = %(caller)s"
)
_ANY_CONTACT = "SELECT id FROM contacts WHERE phone_e164 = %(caller)s ORDER BY id DESC LIMIT 1"


def offer_call(
    conn: Connection,
    *,
    queue_id: int | None,
    did: str,
    caller: str,
    campaign_id: int | None,
    sip_call_id: str,
    worker: str,
    at: datetime,
    transferred_attempt: int | None = None,
) -> tuple[int, int | None]:
    """Store the call as offered; returns its id and the caller's contact (the screen pop) when
    the number is known in the queue's campaign, or in any campaign (the newest such contact)
    when the queue has none. ``transferred_attempt``: the attempt a transfer to this queue
    says it comes from, linked only when that attempt is open, of the queue's campaign, and
    called this caller (a header alone proves nothing)."""
    with conn.transaction():
        query = _ANY_CONTACT if campaign_id is None else _CAMPAIGN_CONTACT
        found = conn.execute(query, {"campaign": campaign_id, "caller": caller})
        row = found.fetchone()
        contact = None if row is None else int(row[0])
        linked = None
        if transferred_attempt is not None and campaign_id is not None:
            found = conn.execute(
                _TRANSFERRING_ATTEMPT,
                {"attempt": transferred_attempt, "campaign": campaign_id, "caller": caller},
            )
            linked = transferred_attempt if found.fetchone() is not None else None
        row = conn.execute(
            "INSERT INTO inbound_calls (queue_id, did, caller_number, contact_id, sip_call_id,"
            " worker, offered_at, transferred_attempt_id) VALUES (%(queue)s, %(did)s,"
            " %(caller)s, %(contact)s, %(call_id)s, %(worker)s, %(at)s, %(attempt)s)"
            " RETURNING id",
            {
                "queue": queue_id,
                "did": did,
                "caller": caller,
                "contact": contact,
                "call_id": sip_call_id,
                "worker": worker,
                "at": at,
                "attempt": linked,
            },
        ).fetchone()
    assert row is not None
    return int(row[0]), contact


_TRANSFERRING_ATTEMPT = (
    "SELECT 1 FROM call_attempts WHERE id = %(attempt)s AND campaign_id = %(campaign)s"
    " AND called_number = %(caller)s AND state <> 'ended'"
)


def transferred_attempt(conn: Connection, call_id: int) -> int | None:
    """The outbound attempt an inbound call was transferred from (checked when offered)."""
    row = conn.execute(
        "SELECT transferred_attempt_id FROM inbound_calls WHERE id = %s", (call_id,)
    ).fetchone()
    return None if row is None or row[0] is None else int(row[0])


def record_answered(
    conn: Connection, call_id: int, agent_id: int, at: datetime, second_call: bool = False
) -> None:
    """The agent took the call; ``second_call``: by call waiting, their outbound customer on
    hold (no wrap-up follows: the disposition waits in second_call_store)."""
    conn.execute(
        "UPDATE inbound_calls SET answered_at = %s, agent_id = %s, second_call = %s WHERE id = %s",
        (at, agent_id, second_call, call_id),
    )


def call_campaign(conn: Connection, call_id: int) -> tuple[int | None, bool] | None:
    """An inbound call's campaign (its queue's) and whether it is over; None: no such call."""
    row = conn.execute(
        "SELECT q.campaign_id, i.outcome IS NOT NULL FROM inbound_calls i"
        " LEFT JOIN inbound_queues q ON q.id = i.queue_id WHERE i.id = %s",
        (call_id,),
    ).fetchone()
    return None if row is None else (row[0], bool(row[1]))


def set_recording_path(conn: Connection, call_id: int, path: str) -> None:
    """An answered call's recording started (relative to the data dir, as an attempt's)."""
    conn.execute("UPDATE inbound_calls SET recording_path = %s WHERE id = %s", (path, call_id))


def finish_call(
    conn: Connection,
    call_id: int,
    outcome: InboundOutcome,
    at: datetime,
    *,
    recording_path: str | None = None,
) -> bool:
    """Write the outcome once (idempotent: a second finish changes nothing)."""
    abandoned_at = at if outcome is InboundOutcome.ABANDONED else None
    done = conn.execute(
        "UPDATE inbound_calls SET outcome = %(outcome)s, ended_at = %(at)s,"
        " abandoned_at = %(abandoned)s,"
        " recording_path = coalesce(%(recording)s, recording_path)"
        " WHERE id = %(id)s AND outcome IS NULL",
        {
            "outcome": outcome,
            "at": at,
            "abandoned": abandoned_at,
            "recording": recording_path,
            "id": call_id,
        },
    )
    return done.rowcount == 1


CALLBACK_LIST = "Inbound callbacks"


def schedule_callback(
    conn: Connection, campaign_id: int, number: str, zones: tuple[str, ...], due: datetime
) -> int:
    """The caller becomes a callback contact of the campaign (its list "Inbound callbacks"), due
    at ``due``; an existing contact with that number is moved to callback instead."""
    with conn.transaction():
        found = conn.execute(
            "SELECT id FROM contact_lists WHERE campaign_id = %s AND name = %s",
            (campaign_id, CALLBACK_LIST),
        ).fetchone()
        if found is None:
            found = conn.execute(
                "INSERT INTO contact_lists (campaign_id, name, default_region)"
                " VALUES (%s, %s, 'US') RETURNING id",
                (campaign_id, CALLBACK_LIST),
            ).fetchone()
        assert found is not None
        row = conn.execute(
            "INSERT INTO contacts (campaign_id, list_id, phone_e164, time_zones, state,"
            " next_eligible_at) VALUES (%(campaign)s, %(list)s, %(number)s, %(zones)s,"
            " 'callback', %(due)s)"
            " ON CONFLICT (campaign_id, phone_e164) DO UPDATE SET state = 'callback',"
            " next_eligible_at = EXCLUDED.next_eligible_at"
            " WHERE contacts.state NOT IN ('dnc', 'in_flight')"
            " RETURNING id",
            {
                "campaign": campaign_id,
                "list": found[0],
                "number": number,
                "zones": list(zones),
                "due": due,
            },
        ).fetchone()
        if row is None:  # on the DNC list or being dialed now: nothing to schedule
            existing = conn.execute(
                "SELECT id FROM contacts WHERE campaign_id = %s AND phone_e164 = %s",
                (campaign_id, number),
            ).fetchone()
            assert existing is not None
            return int(existing[0])
    return int(row[0])


def record_rejected(
    conn: Connection, *, did: str, caller: str, sip_call_id: str, worker: str, at: datetime
) -> int:
    """A call from the carrier that was not taken (the process full or stopping): stored
    all the same, with the queue its number routes to, so that no call goes unaccounted for."""
    row = conn.execute(
        "INSERT INTO inbound_calls (queue_id, did, caller_number, sip_call_id, worker,"
        " offered_at, ended_at, outcome) VALUES ((SELECT queue_id FROM dids WHERE number ="
        " %(did)s), %(did)s, %(caller)s, %(call_id)s, %(worker)s, %(at)s, %(at)s, 'rejected')"
        " RETURNING id",
        {"did": did, "caller": caller, "call_id": sip_call_id, "worker": worker, "at": at},
    ).fetchone()
    assert row is not None
    return int(row[0])
