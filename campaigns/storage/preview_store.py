"""Preview dialing in PostgreSQL: the contact an agent is looking at, held as a queued attempt.

A preview is an attempt row of kind 'preview' with its agent, in state queued and with no expiry
(the reaper leaves it alone: the agent decides), and its contact in_flight. Dial gives it a short
expiry and hands it to a worker like any queued attempt; skip and release close it as cancelled
(never dialed, not an attempt used up) and put the contact back. A hold past the campaign's
`preview_timeout_s` (campaigns.preview_hold) is closed the same way by the scheduler's sweep; the
sweep and Dial both compare-and-set "queued with no expiry", so exactly one of them wins.
"""

from __future__ import annotations

from datetime import datetime

from campaigns.agent_dial_rules import DialFacts
from campaigns.attempt import AttemptState, Outcome
from campaigns.preview_hold import PreviewHold
from campaigns.storage import attempt_store
from campaigns.storage.attempt_store import AttemptResult
from campaigns.storage.db import Connection

_INSERT = """
INSERT INTO call_attempts (campaign_id, contact_id, kind, called_number, caller_id, agent_id,
                           queued_at, expires_at)
SELECT %(campaign_id)s, k.id, %(kind)s, k.phone_e164, c.caller_id, %(agent_id)s, %(now)s,
       %(expires_at)s
FROM contacts k JOIN campaigns c ON c.id = k.campaign_id
WHERE k.id = %(contact_id)s
RETURNING id
"""

_HOLDS = """
SELECT a.id, a.campaign_id, a.agent_id, a.contact_id, a.queued_at, c.preview_timeout_s
FROM call_attempts a JOIN campaigns c ON c.id = a.campaign_id
WHERE a.kind = 'preview' AND a.state = 'queued' AND a.expires_at IS NULL
  AND (%(agent_id)s::bigint IS NULL OR a.agent_id = %(agent_id)s::bigint)
ORDER BY a.queued_at, a.id
"""

# The compare-and-set of a release: the row is still an undialed preview. Locked until the
# caller's transaction ends, so a Dial (which sets expires_at) waits, then finds it ended.
_LOCK_UNDIALED = """
SELECT id FROM call_attempts
WHERE id = %(id)s AND kind = 'preview' AND state = 'queued' AND expires_at IS NULL
FOR UPDATE
"""

_TO_DIAL = """
UPDATE call_attempts SET expires_at = %(expires_at)s
WHERE id = %(id)s AND agent_id = %(agent_id)s AND kind = 'preview' AND state = 'queued'
  AND expires_at IS NULL
RETURNING id
"""

# The facts the rules look at, again at the moment of the click: the agent may have looked for
# minutes, long enough for a DNC entry, the end of the window or a stop of the campaign.
_DIAL_FACTS = """
SELECT
    EXISTS (SELECT 1 FROM dnc_entries d WHERE d.phone_e164 = k.phone_e164
            AND (d.campaign_id IS NULL OR d.campaign_id = k.campaign_id)) AS on_dnc,
    k.time_zones, k.attempts, k.last_abandoned_at, c.state = 'running' AS campaign_running,
    k.state IN ('dialable', 'callback', 'in_flight') AS contact_open
FROM contacts k JOIN campaigns c ON c.id = k.campaign_id
WHERE k.id = %(contact_id)s
"""


def create_agent_attempt(
    conn: Connection,
    campaign_id: int,
    contact_id: int,
    agent_id: int,
    now: datetime,
    *,
    kind: str = "preview",
    expires_at: datetime | None = None,
) -> int:
    """The attempt that holds a claimed contact for its agent (in the caller's transaction):
    a preview (no expiry: the agent decides) or a manual dial (queued for a worker)."""
    row = conn.execute(
        _INSERT,
        {
            "campaign_id": campaign_id,
            "contact_id": contact_id,
            "agent_id": agent_id,
            "now": now,
            "kind": kind,
            "expires_at": expires_at,
        },
    ).fetchone()
    assert row is not None
    return int(row[0])


def held_preview(conn: Connection, agent_id: int) -> PreviewHold | None:
    """The contact this agent is looking at and has not dialed yet, if any."""
    holds = _holds(conn, agent_id)
    return holds[0] if holds else None


def undialed_previews(conn: Connection) -> list[PreviewHold]:
    """Every preview held and not dialed yet, oldest first (the sweep's view)."""
    return _holds(conn, None)


def _holds(conn: Connection, agent_id: int | None) -> list[PreviewHold]:
    rows = conn.execute(_HOLDS, {"agent_id": agent_id}).fetchall()
    return [
        PreviewHold(
            attempt_id=int(row[0]),
            campaign_id=int(row[1]),
            agent_id=int(row[2]),
            contact_id=None if row[3] is None else int(row[3]),
            held_since=row[4],
            limit_s=int(row[5]),
        )
        for row in rows
    ]


def release_expired(conn: Connection, hold: PreviewHold, now: datetime) -> bool:
    """Close a preview held past its limit (cancelled: never dialed, no attempt used up, the
    reason on the record) and put its contact back at once; False if it was dialed, skipped or
    released meanwhile."""
    with conn.transaction():
        if conn.execute(_LOCK_UNDIALED, {"id": hold.attempt_id}).fetchone() is None:
            return False
        return attempt_store.finish_attempt(
            conn,
            hold.attempt_id,
            AttemptResult(Outcome.CANCELLED, sip_reason=hold.why_expired),
            now,
            only_if=(AttemptState.QUEUED,),
        )


def closed_reason(conn: Connection, attempt_id: int) -> str | None:
    """Why an ended attempt was closed (its recorded reason); None while it is open."""
    row = conn.execute(
        "SELECT coalesce(sip_reason, outcome) FROM call_attempts"
        " WHERE id = %(id)s AND state = 'ended'",
        {"id": attempt_id},
    ).fetchone()
    return None if row is None else str(row[0])


def state_and_kind(conn: Connection, attempt_id: int) -> tuple[str, str] | None:
    row = conn.execute(
        "SELECT state, kind FROM call_attempts WHERE id = %(id)s", {"id": attempt_id}
    ).fetchone()
    return None if row is None else (str(row[0]), str(row[1]))


def lock_contact(conn: Connection, contact_id: int) -> tuple[int, bool] | None:
    """Lock one contact for a manual dial: (campaign id, has a call open); None if unknown."""
    row = conn.execute(
        "SELECT k.campaign_id, EXISTS (SELECT 1 FROM call_attempts a WHERE a.contact_id = k.id"
        " AND a.state <> 'ended') FROM contacts k WHERE k.id = %(id)s FOR UPDATE OF k",
        {"id": contact_id},
    ).fetchone()
    return None if row is None else (int(row[0]), bool(row[1]))


def take_contact(conn: Connection, contact_id: int) -> None:
    conn.execute("UPDATE contacts SET state = 'in_flight' WHERE id = %(id)s", {"id": contact_id})


def previews_held(conn: Connection, campaign_id: int) -> int:
    """Contacts agents of this campaign are looking at and have not dialed yet."""
    row = conn.execute(
        "SELECT count(*) FROM call_attempts WHERE campaign_id = %(id)s AND kind = 'preview'"
        " AND state = 'queued' AND expires_at IS NULL",
        {"id": campaign_id},
    ).fetchone()
    return int(row[0]) if row else 0


def dial_facts(conn: Connection, contact_id: int) -> DialFacts | None:
    """What campaigns.agent_dial_rules looks at for this contact; None when it is gone."""
    row = conn.execute(_DIAL_FACTS, {"contact_id": contact_id}).fetchone()
    if row is None:
        return None
    on_dnc, zones, attempts, last_abandoned_at, running, contact_open = row
    return DialFacts(on_dnc, tuple(zones), attempts, last_abandoned_at, running, contact_open)


def mark_to_dial(conn: Connection, attempt_id: int, agent_id: int, expires_at: datetime) -> bool:
    """The agent clicked Dial: the attempt may now be taken by a worker until `expires_at`."""
    with conn.transaction():
        done = conn.execute(
            _TO_DIAL, {"id": attempt_id, "agent_id": agent_id, "expires_at": expires_at}
        ).fetchone()
    return done is not None


def close_preview(
    conn: Connection, attempt_id: int, why: str, now: datetime, back_at: datetime
) -> bool:
    """Close an undialed preview (skipped, released, refused) and put its contact back in line,
    eligible again from `back_at`; False if it was dialed or closed meanwhile."""
    with conn.transaction():
        closed = attempt_store.finish_attempt(
            conn,
            attempt_id,
            AttemptResult(Outcome.CANCELLED, sip_reason=why[:200]),
            now,
            only_if=(AttemptState.QUEUED,),
        )
        if closed and back_at > now:
            conn.execute(
                "UPDATE contacts k SET next_eligible_at = %(back_at)s FROM call_attempts a"
                " WHERE a.id = %(id)s AND k.id = a.contact_id AND k.state = 'dialable'",
                {"id": attempt_id, "back_at": back_at},
            )
    return closed
