"""A call to a bare number (a speed-dial entry that is no contact of the campaign), in
PostgreSQL: the facts click-to-call's rules (campaigns.agent_dial_rules) look at, and its
'manual' attempt.

The number has no contact row, so the facts are what a contact would carry, read from the
number's own history in the campaign: its attempts (the cap), its last abandoned call (the
cool-down), a call to it not ended yet; the DNC lists and the campaign's state as for any
contact. No contact is made: a speed-dial number must never become a lead the dialer calls.
"""

from __future__ import annotations

from datetime import datetime

from campaigns.agent_dial_rules import DialFacts
from campaigns.storage.db import Connection

NUMBER_LOCK = 7_241_006  # with the number's hash: one dial of a number at a time

_DIAL_FACTS = """
SELECT
    EXISTS (SELECT 1 FROM dnc_entries d WHERE d.phone_e164 = %(number)s
            AND (d.campaign_id IS NULL OR d.campaign_id = c.id)) AS on_dnc,
    (SELECT count(*) FROM call_attempts a WHERE a.campaign_id = c.id
     AND a.contact_id IS NULL AND a.called_number = %(number)s
     AND a.outcome IS DISTINCT FROM 'cancelled') AS attempts,
    (SELECT max(a.hangup_at) FROM call_attempts a WHERE a.campaign_id = c.id
     AND a.called_number = %(number)s AND a.outcome = 'abandoned') AS last_abandoned_at,
    c.state = 'running' AS campaign_running,
    EXISTS (SELECT 1 FROM call_attempts a WHERE a.campaign_id = c.id
            AND a.called_number = %(number)s AND a.state <> 'ended') AS being_called
FROM campaigns c WHERE c.id = %(campaign_id)s
"""

_INSERT = """
INSERT INTO call_attempts (campaign_id, contact_id, kind, called_number, caller_id, agent_id,
                           queued_at, expires_at)
SELECT c.id, NULL, 'manual', %(number)s, c.caller_id, %(agent_id)s, %(now)s, %(expires_at)s
FROM campaigns c WHERE c.id = %(campaign_id)s
RETURNING id
"""


def contact_with_number(conn: Connection, campaign_id: int, number: str) -> int | None:
    row = conn.execute(
        "SELECT id FROM contacts WHERE campaign_id = %(c)s AND phone_e164 = %(n)s",
        {"c": campaign_id, "n": number},
    ).fetchone()
    return None if row is None else int(row[0])


def lock_number(conn: Connection, campaign_id: int, number: str) -> None:
    """Serialise two dials of one number in one campaign until the transaction ends."""
    conn.execute(
        "SELECT pg_advisory_xact_lock(%(lock)s, hashtext(%(c)s::text || %(n)s))",
        {"lock": NUMBER_LOCK, "c": campaign_id, "n": number},
    )


def dial_facts(
    conn: Connection, campaign_id: int, number: str, zones: tuple[str, ...]
) -> DialFacts | None:
    """What campaigns.agent_dial_rules looks at for a bare number in `zones`; None when the
    campaign is gone."""
    row = conn.execute(_DIAL_FACTS, {"number": number, "campaign_id": campaign_id}).fetchone()
    if row is None:
        return None
    on_dnc, attempts, last_abandoned_at, running, being_called = row
    return DialFacts(
        on_dnc,
        zones,
        attempts,
        last_abandoned_at,
        running,
        contact_open=True,
        being_called=being_called,
    )


def create_number_attempt(
    conn: Connection,
    campaign_id: int,
    number: str,
    agent_id: int,
    now: datetime,
    expires_at: datetime,
) -> int:
    row = conn.execute(
        _INSERT,
        {
            "campaign_id": campaign_id,
            "number": number,
            "agent_id": agent_id,
            "now": now,
            "expires_at": expires_at,
        },
    ).fetchone()
    assert row is not None
    return int(row[0])
