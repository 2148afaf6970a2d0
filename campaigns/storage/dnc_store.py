"""Do-not-call entries: a global list (campaign_id NULL) and one per campaign.

Adding an entry blocks the matching contacts at once, in the same transaction: state 'dnc' with
the reason. Contacts in flight keep their state (a call is already up); the scheduler's claim
filters on dnc_entries too, so they are not dialed again either way. List imports take the DNC
lock shared and additions take it alone, so a contact imported while its number is being added
to a DNC list is blocked by one or the other.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from campaigns.storage.db import Connection
from campaigns.storage.import_store import DNC_LOCK

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


@dataclass(frozen=True)
class DncEntry:
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


def find_number(conn: Connection, phone_e164: str) -> list[DncEntry]:
    return [DncEntry(*row) for row in conn.execute(_FIND, {"phone": phone_e164})]


def list_entries(conn: Connection, campaign_id: int | None, limit: int = 100) -> list[DncEntry]:
    rows = conn.execute(_LIST, {"campaign_id": campaign_id, "limit": limit})
    return [DncEntry(*row) for row in rows]
