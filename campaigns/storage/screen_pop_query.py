"""What the agent sees when a call connects: the call, the contact's fields from the list, the
contact's earlier attempts with their dispositions and notes, and the campaign's dispositions.

Three small reads by primary key and by the contact's attempts index (call_attempts_contact);
cheap enough to run on every connect of every agent.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from psycopg.rows import dict_row

from campaigns.dispositions import Disposition
from campaigns.storage import disposition_store
from campaigns.storage.db import Connection

# Earlier attempts shown: enough for any contact a campaign's attempt cap allows, and a bound.
PREVIOUS_LIMIT = 25

_ATTEMPTS = """
SELECT a.id, a.state, a.outcome, a.called_number, a.agent_id,
       nullif(coalesce(nullif(u.display_name, ''), u.username), '') AS agent_name,
       a.queued_at, a.answer_at, a.agent_connect_at, a.hangup_at,
       a.disposition, d.label AS disposition_label, a.disposition_at, a.notes
FROM call_attempts a
LEFT JOIN agents g ON g.id = a.agent_id
LEFT JOIN users u ON u.id = g.user_id
LEFT JOIN dispositions d ON d.campaign_id = a.campaign_id AND d.code = a.disposition
"""

_THIS = """
SELECT a.campaign_id, c.name AS campaign_name, c.recording AS campaign_recording, a.contact_id
FROM call_attempts a JOIN campaigns c ON c.id = a.campaign_id
WHERE a.id = %(id)s
"""

_CONTACT = """
SELECT k.id, k.phone_e164, k.phone_type, k.phone_label, k.first_name, k.last_name,
       k.postal_code, k.time_zones, k.custom_fields, k.state, k.attempts, l.name AS list_name
FROM contacts k JOIN contact_lists l ON l.id = k.list_id
WHERE k.id = %(id)s
"""


@dataclass(frozen=True)
class ScreenPop:
    attempt: dict[str, Any]
    campaign_id: int
    campaign_name: str
    # None when the contact was deleted since the call was placed.
    contact: dict[str, Any] | None
    # The contact's other attempts, newest first.
    previous: list[dict[str, Any]]
    dispositions: list[Disposition]
    # The campaign's recording mode (never, on_demand, always): which Record button to offer.
    campaign_recording: str = "never"


def attempt_agent(conn: Connection, attempt_id: int) -> tuple[bool, int | None]:
    """(exists, agent_id recorded on the attempt)."""
    row = conn.execute(
        "SELECT agent_id FROM call_attempts WHERE id = %(id)s", {"id": attempt_id}
    ).fetchone()
    return (False, None) if row is None else (True, row[0])


def screen_pop(conn: Connection, attempt_id: int) -> ScreenPop | None:
    with conn.cursor(row_factory=dict_row) as cur:
        this = cur.execute(_THIS, {"id": attempt_id}).fetchone()
        if this is None:
            return None
        attempt = cur.execute(_ATTEMPTS + " WHERE a.id = %(id)s", {"id": attempt_id}).fetchone()
        assert attempt is not None
        contact = None
        previous: list[dict[str, Any]] = []
        if this["contact_id"] is not None:
            contact = cur.execute(_CONTACT, {"id": this["contact_id"]}).fetchone()
            previous = cur.execute(
                _ATTEMPTS + " WHERE a.contact_id = %(contact_id)s AND a.id <> %(id)s"
                " ORDER BY a.queued_at DESC, a.id DESC LIMIT %(limit)s",
                {"contact_id": this["contact_id"], "id": attempt_id, "limit": PREVIOUS_LIMIT},
            ).fetchall()
    return ScreenPop(
        attempt=attempt,
        campaign_id=int(this["campaign_id"]),
        campaign_name=str(this["campaign_name"]),
        contact=contact,
        previous=previous,
        dispositions=disposition_store.list_dispositions(conn, int(this["campaign_id"])),
        campaign_recording=str(this["campaign_recording"]),
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


def call_summary(conn: Connection, attempt_id: int) -> dict[str, Any] | None:
    """The one line a console shows for the call an agent holds."""
    with conn.cursor(row_factory=dict_row) as cur:
        return cur.execute(_SUMMARY, {"id": attempt_id}).fetchone()
