"""An agent's disposition of an inbound call, applied as for an outbound attempt and in one
transaction: the inbound call row, the caller's contact (when the number is known), and the
campaign's do-not-call list. The call's campaign is its queue's, else its contact's.

Same rules as attempt_disposition_store, which provides the shared steps: the row is locked
first (two submissions cannot both pass "not yet dispositioned"), the call must be over, the
code must be one of the campaign's. Differences: a callback needs a known caller (an unknown one
has no contact to call back), and a contact that an outbound attempt is dialing at this moment
is left alone (its attempt's own outcome decides it).
"""

from __future__ import annotations

import re
from datetime import datetime

from psycopg.rows import dict_row

from campaigns.disposition_outcome import (
    DNC_SOURCE,
    AttemptStillOpen,
    CallbackRequest,
    NotYourAttempt,
)
from campaigns.dispositions import DispositionAction
from campaigns.errors import Conflict, NotFound, ValidationError
from campaigns.storage.attempt_disposition_store import (
    DispositionRecorded,
    apply_to_contact,
    find_disposition,
)
from campaigns.storage.db import Connection

_E164 = re.compile(r"\+[1-9][0-9]{6,14}")

_CALL = """
SELECT i.id, coalesce(q.campaign_id, k.campaign_id) AS campaign_id, i.contact_id,
       i.caller_number, i.outcome, i.agent_id, i.disposition,
       (SELECT user_id FROM agents WHERE id = %(agent_id)s) AS user_id
FROM inbound_calls i
LEFT JOIN inbound_queues q ON q.id = i.queue_id
LEFT JOIN contacts k ON k.id = i.contact_id
WHERE i.id = %(call_id)s
FOR UPDATE OF i
"""

_RECORD = """
UPDATE inbound_calls SET disposition = %(code)s, disposition_at = %(now)s,
    disposition_by = %(user_id)s, notes = %(notes)s, agent_id = coalesce(agent_id, %(agent_id)s)
WHERE id = %(call_id)s
"""

_ADD_DNC = """
INSERT INTO dnc_entries (campaign_id, phone_e164, source, added_at, added_by)
VALUES (%(campaign_id)s, %(phone)s, %(source)s, %(now)s, %(user_id)s)
ON CONFLICT (campaign_id, phone_e164) DO NOTHING
"""


def record_inbound_disposition(
    conn: Connection,
    call_id: int,
    agent_id: int,
    code: str,
    notes: str,
    callback: CallbackRequest,
    now: datetime,
    agent_holds_call: bool = False,
) -> DispositionRecorded:
    """Store the disposition of inbound call `call_id` and apply its action. The result's
    `attempt_id` is the call's reference in the agent's live state: the id negated."""
    with conn.transaction():
        with conn.cursor(row_factory=dict_row) as cur:
            call = cur.execute(_CALL, {"call_id": call_id, "agent_id": agent_id}).fetchone()
        if call is None:
            raise NotFound(f"no inbound call {call_id}")
        recorded_agent = call["agent_id"]
        if recorded_agent != agent_id and not (recorded_agent is None and agent_holds_call):
            raise NotYourAttempt(f"inbound call {call_id} was not agent {agent_id}'s call")
        if call["outcome"] is None:
            raise AttemptStillOpen(f"inbound call {call_id} is still being closed: submit again")
        if call["disposition"] is not None:
            raise Conflict(
                f"inbound call {call_id} already has disposition {call['disposition']!r}"
            )
        if call["campaign_id"] is None:
            raise ValidationError([f"code: inbound call {call_id} belongs to no campaign"])
        disposition = find_disposition(conn, call["campaign_id"], code)
        if call["contact_id"] is None and disposition.action is DispositionAction.CALLBACK:
            raise ValidationError(
                ["code: a callback needs a known caller; this number is no contact of the campaign"]
            )
        if call["contact_id"] is None and callback.at is not None:
            raise ValidationError([f"callback_at: {code!r} is not a callback disposition"])
        params = {
            "call_id": call_id,
            "agent_id": agent_id,
            "user_id": call["user_id"],
            "code": code,
            "notes": notes,
            "now": now,
        }
        # The call's row before its contact's: the lock order of every writer of both (see
        # record_disposition).
        conn.execute(_RECORD, params)
        change = None
        if call["contact_id"] is not None:
            change = apply_to_contact(conn, call, disposition, callback, now, leave_in_flight=True)
        # A withheld or malformed caller number cannot go on the list (the caller is no contact).
        added = disposition.action is DispositionAction.DNC and bool(
            _E164.fullmatch(call["caller_number"])
        )
        if added:
            conn.execute(
                _ADD_DNC,
                params
                | {
                    "campaign_id": call["campaign_id"],
                    "phone": call["caller_number"],
                    "source": DNC_SOURCE,
                },
            )
    return DispositionRecorded(
        -call_id, call["campaign_id"], call["contact_id"], disposition, change, added
    )
