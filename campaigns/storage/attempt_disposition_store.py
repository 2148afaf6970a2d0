"""An agent's disposition of a call attempt, applied in one transaction: the attempt row, the
contact, and the do-not-call list. The attempt row is locked first, so two submissions of one
call cannot both pass the "not yet dispositioned" check."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from psycopg.rows import dict_row

from campaigns.disposition_outcome import (
    DNC_SOURCE,
    AttemptStillOpen,
    CallbackRequest,
    ContactChange,
    ContactOnCall,
    NotYourAttempt,
    decide_after_disposition,
)
from campaigns.dispositions import Disposition, DispositionAction
from campaigns.errors import Conflict, NotFound, ValidationError
from campaigns.retry import ContactState
from campaigns.storage import campaign_store, disposition_store
from campaigns.storage.db import Connection

_ATTEMPT = """
SELECT a.id, a.campaign_id, a.contact_id, a.called_number, a.state, a.agent_id, a.disposition,
       a.transfer_outcome,
       (SELECT user_id FROM agents WHERE id = %(agent_id)s) AS user_id
FROM call_attempts a WHERE a.id = %(attempt_id)s
FOR UPDATE OF a
"""

_CONTACT = """
SELECT id, state, attempts, time_zones FROM contacts WHERE id = %(contact_id)s FOR UPDATE
"""

_RECORD = """
UPDATE call_attempts SET disposition = %(code)s, disposition_at = %(now)s,
    disposition_by = %(user_id)s, notes = %(notes)s, agent_id = coalesce(agent_id, %(agent_id)s)
WHERE id = %(attempt_id)s
"""

_UPDATE_CONTACT = """
UPDATE contacts SET state = %(state)s,
    next_eligible_at = coalesce(%(next_eligible_at)s, next_eligible_at),
    block_reason = %(block_reason)s, callback_agent_id = %(callback_agent_id)s
WHERE id = %(contact_id)s
"""

# The campaign's list, at once; a number already on it stays as it was added.
_ADD_DNC = """
INSERT INTO dnc_entries (campaign_id, phone_e164, source, added_at, added_by)
VALUES (%(campaign_id)s, %(phone)s, %(source)s, %(now)s, %(user_id)s)
ON CONFLICT (campaign_id, phone_e164) DO NOTHING
"""


# The call went on with another agent (a transfer to them, answered): theirs to disposition.
# 'answered': handed over (a transfer, or leaving a three-way call); 'dropped', 'conferenced':
# an agent added to a three-way call who went without taking it over.
_PASSED_TO_ANOTHER_AGENT = """
SELECT 1 FROM call_attempts
WHERE id = %(attempt_id)s AND transfer_outcome IN ('answered', 'dropped', 'conferenced')
  AND agent_id IS NOT NULL AND agent_id <> %(agent_id)s
"""


def passed_to_another_agent(conn: Connection, attempt_id: int, agent_id: int) -> bool:
    """Whether the attempt's one disposition is another agent's, not ``agent_id``'s: they
    transferred the call to another agent who took it, or were the agent added to a three-way
    call and left it to the agent who added them."""
    params = {"attempt_id": attempt_id, "agent_id": agent_id}
    return conn.execute(_PASSED_TO_ANOTHER_AGENT, params).fetchone() is not None


@dataclass(frozen=True)
class DispositionRecorded:
    attempt_id: int
    campaign_id: int
    contact_id: int | None
    disposition: Disposition
    # What happened to the contact; None when it stayed as it was (no contact, or already DNC).
    contact: ContactChange | None
    added_to_dnc: bool


def record_disposition(
    conn: Connection,
    attempt_id: int,
    agent_id: int,
    code: str,
    notes: str,
    callback: CallbackRequest,
    now: datetime,
    agent_holds_call: bool = False,
) -> DispositionRecorded:
    """Store the disposition and apply its action; `agent_holds_call` says the live state has
    the agent holding this call (the attempt row may not name its agent yet)."""
    with conn.transaction():
        with conn.cursor(row_factory=dict_row) as cur:
            attempt = cur.execute(
                _ATTEMPT, {"attempt_id": attempt_id, "agent_id": agent_id}
            ).fetchone()
        if attempt is None:
            raise NotFound(f"no call attempt {attempt_id}")
        recorded_agent = attempt["agent_id"]
        if recorded_agent != agent_id and not (recorded_agent is None and agent_holds_call):
            raise NotYourAttempt(f"attempt {attempt_id} was not agent {agent_id}'s call")
        # A call the agent transferred goes on without them: their part is over, and the
        # worker's close will leave the contact as this disposition sets it (finish_attempt).
        passed_on = attempt["transfer_outcome"] == "answered"
        if attempt["state"] != "ended" and not passed_on:
            raise AttemptStillOpen(f"attempt {attempt_id} is still being closed: submit again")
        if attempt["disposition"] is not None:
            raise Conflict(
                f"attempt {attempt_id} already has disposition {attempt['disposition']!r}"
            )
        disposition = find_disposition(conn, attempt["campaign_id"], code)
        if attempt["contact_id"] is None and disposition.action is DispositionAction.CALLBACK:
            raise ValidationError(["callback_at: the contact of this call no longer exists"])
        params = {
            "attempt_id": attempt_id,
            "agent_id": agent_id,
            "user_id": attempt["user_id"],
            "code": code,
            "notes": notes,
            "now": now,
        }
        # The call's row before its contact's, as a worker closing a call writes them: both
        # writes fold into shared report rollup rows (the campaign's day, the list's contacts by
        # state), and the other order deadlocked with a worker closing another call of the
        # campaign (a robot's disposition lost to a 500 in a live run). docs/reports.md.
        conn.execute(_RECORD, params)
        change = None
        if attempt["contact_id"] is not None:
            change = apply_to_contact(conn, attempt, disposition, callback, now)
        added = disposition.action is DispositionAction.DNC
        if added:
            conn.execute(
                _ADD_DNC,
                params
                | {
                    "campaign_id": attempt["campaign_id"],
                    "phone": attempt["called_number"],
                    "source": DNC_SOURCE,
                },
            )
    return DispositionRecorded(
        attempt_id, attempt["campaign_id"], attempt["contact_id"], disposition, change, added
    )


def find_disposition(conn: Connection, campaign_id: int, code: str) -> Disposition:
    known = disposition_store.list_dispositions(conn, campaign_id)
    for disposition in known:
        if disposition.code == code:
            return disposition
    codes = ", ".join(d.code for d in known)
    raise ValidationError([f"code: {code!r} is not a disposition of this campaign ({codes})"])


def apply_to_contact(
    conn: Connection,
    call: dict[str, Any],
    disposition: Disposition,
    callback: CallbackRequest,
    now: datetime,
    leave_in_flight: bool = False,
) -> ContactChange | None:
    """Apply the disposition to the call's contact (`call`: its contact_id and campaign_id),
    locked for the change. `leave_in_flight`: a contact being dialed now stays as it is (an
    inbound caller whom an outbound attempt is calling at the same moment)."""
    with conn.cursor(row_factory=dict_row) as cur:
        row = cur.execute(_CONTACT, {"contact_id": call["contact_id"]}).fetchone()
    assert row is not None  # the attempt's foreign key nulls contact_id when a contact goes
    contact = ContactOnCall(
        id=row["id"],
        state=ContactState(row["state"]),
        attempts=row["attempts"],
        time_zones=tuple(row["time_zones"]),
    )
    if leave_in_flight and contact.state is ContactState.IN_FLIGHT:
        return None
    campaign = campaign_store.get_campaign(conn, call["campaign_id"]).spec
    change = decide_after_disposition(disposition, contact, campaign, callback, now)
    if change is not None:
        conn.execute(
            _UPDATE_CONTACT,
            {
                "state": change.state.value,
                "next_eligible_at": change.next_eligible_at,
                "block_reason": change.block_reason,
                "callback_agent_id": change.callback_agent_id,
                "contact_id": contact.id,
            },
        )
    return change
