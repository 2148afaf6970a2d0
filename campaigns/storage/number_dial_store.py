"""A call to a bare number (a speed-dial entry that is no contact of the campaign), in
PostgreSQL: the rules of click-to-call applied to the number, and its 'manual' attempt.

The number has no contact row, so the rules read what a contact would carry from the number's
own history in the campaign: its attempts (the cap), its last abandoned call (the cool-down);
the DNC lists, the calling window of the number's zones and the campaign's state as for any
contact. No contact is made: a speed-dial number must never become a lead the dialer calls.
"""

from __future__ import annotations

from datetime import datetime

from campaigns.calling_window import open_zones
from campaigns.campaign import Campaign
from campaigns.storage.db import Connection

NUMBER_LOCK = 7_241_006  # with the number's hash: one dial of a number at a time

_RULES = """
SELECT
    EXISTS (SELECT 1 FROM dnc_entries d WHERE d.phone_e164 = %(number)s
            AND (d.campaign_id IS NULL OR d.campaign_id = c.id)) AS on_dnc,
    NOT (%(zones)s::text[] <@ %(open_zones)s::text[]) AS outside_hours,
    (SELECT count(*) FROM call_attempts a WHERE a.campaign_id = c.id
     AND a.contact_id IS NULL AND a.called_number = %(number)s
     AND a.outcome IS DISTINCT FROM 'cancelled') >= %(max_attempts)s AS exhausted,
    c.state <> 'running' AS campaign_stopped,
    EXISTS (SELECT 1 FROM call_attempts a WHERE a.campaign_id = c.id
            AND a.called_number = %(number)s AND a.state <> 'ended') AS in_call,
    (%(cooldown_h)s::int IS NOT NULL AND EXISTS (
        SELECT 1 FROM call_attempts a WHERE a.campaign_id = c.id
        AND a.called_number = %(number)s AND a.outcome = 'abandoned'
        AND a.hangup_at > %(now)s - make_interval(hours => %(cooldown_h)s::int))) AS cooling
FROM campaigns c WHERE c.id = %(campaign_id)s
"""

_REASONS = (
    "the number is on a do-not-call list",
    "outside the calling hours of the number's time zone",
    "the number has had the campaign's maximum number of attempts",
    "the campaign is not running",
    "the number is being called",
    "an abandoned call to this number is too recent (the rule set's cool-down)",
)

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


def refusal(
    conn: Connection, campaign: Campaign, number: str, zones: tuple[str, ...], now: datetime
) -> str | None:
    """Why `number` may not be dialed for this campaign now; None when every rule allows it."""
    spec = campaign.spec
    row = conn.execute(
        _RULES,
        {
            "number": number,
            "campaign_id": campaign.id,
            "zones": list(zones),
            "open_zones": sorted(open_zones(now, spec.calling_hours, zones)),
            "max_attempts": spec.max_attempts,
            "cooldown_h": spec.rules.no_repeat_after_abandon_h,
            "now": now,
        },
    ).fetchone()
    if row is None:
        return "the campaign no longer exists"
    return "; ".join(text for flag, text in zip(row, _REASONS, strict=True) if flag) or None


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
