"""Call attempts in PostgreSQL: the state machine that guarantees one INVITE per attempt.

queued -> dialing is a compare-and-set: whoever flips it places the call; a redelivered or
duplicated task finds the attempt no longer queued and does nothing. Closing an attempt and
applying its outcome to the contact happen in one transaction, and only once.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from psycopg import sql
from psycopg.rows import dict_row

from campaigns.attempt import AttemptState, Outcome
from campaigns.retry import ContactHistory, decide_after_attempt
from campaigns.rules import RuleSetName
from campaigns.storage import campaign_store
from campaigns.storage.db import Connection
from campaigns.storage.trunk_store import get_trunk
from campaigns.trunk import TrunkSpec


@dataclass(frozen=True)
class AttemptToDial:
    """Everything a worker needs to place the call and pop the screen, read once at dial time."""

    attempt_id: int
    campaign_id: int
    campaign_name: str
    contact_id: int | None
    called_number: str
    caller_id: str
    ring_timeout_s: int
    # None when the campaign lost its trunk after the attempt was queued: the call fails.
    trunk: TrunkSpec | None
    abandon_message: str | None
    amd: dict[str, Any]
    recording: str
    first_name: str
    last_name: str
    custom_fields: dict[str, Any]
    # The campaign's rule set: its wait for an agent is the call's hand-off window.
    rule_set: RuleSetName
    kind: str = "auto"
    # The agent already reserved for this call (preview and manual dials); None: claim one.
    preassigned_agent_id: int | None = None
    # The campaign's allow list of transfer destinations (campaigns.transfer_destinations).
    transfer_destinations: tuple[str, ...] = ()


@dataclass(frozen=True)
class AttemptResult:
    outcome: Outcome
    sip_status: int | None = None
    sip_reason: str | None = None
    sip_call_id: str | None = None
    agent_id: int | None = None
    hangup_by: str | None = None
    recording_path: str | None = None
    amd_result: str | None = None
    amd_cause: str | None = None
    amd_decision_ms: int | None = None
    # MACHINE verdicts only: sent to an agent because drawn for checking (True) or not (False).
    amd_machine_checked: bool | None = None
    # Timeline columns (COMPLIANCE.md): dial_at, ring_at, answer_at, amd_decided_at,
    # agent_connect_at, message_start_at, hangup_at. Missing ones stay as recorded so far.
    timeline: dict[str, datetime] = field(default_factory=dict)


TIMELINE = (
    "dial_at",
    "ring_at",
    "answer_at",
    "amd_decided_at",
    "agent_connect_at",
    "message_start_at",
    "speech_end_at",
    "voicemail_start_at",
    "hangup_at",
)

_BEGIN_DIALING = """
UPDATE call_attempts SET state = 'dialing', worker = %(worker)s, dial_at = %(now)s
WHERE id = %(id)s AND state = 'queued' AND (expires_at IS NULL OR expires_at > %(now)s)
RETURNING id
"""

_TO_DIAL = """
SELECT a.id AS attempt_id, a.campaign_id, c.name AS campaign_name, a.contact_id, a.called_number,
       a.caller_id, c.ring_timeout_s, c.abandon_message, c.amd, c.recording, c.trunk_id,
       coalesce(k.first_name, '') AS first_name, coalesce(k.last_name, '') AS last_name,
       coalesce(k.custom_fields, '{}') AS custom_fields, a.kind,
       CASE WHEN a.kind <> 'auto' THEN a.agent_id END AS preassigned_agent_id,
       c.transfer_destinations, c.rule_set
FROM call_attempts a
JOIN campaigns c ON c.id = a.campaign_id
LEFT JOIN contacts k ON k.id = a.contact_id
WHERE a.id = %(id)s
"""

# `pacing_risks` pairs with `contact_ids` (NULLs where no model placed the call).
_INSERT_ATTEMPT = """
INSERT INTO call_attempts (campaign_id, contact_id, kind, called_number, caller_id, expires_at,
                           queued_at, pacing_risk)
SELECT %(campaign_id)s, k.id, %(kind)s, k.phone_e164, c.caller_id, %(expires_at)s, %(now)s, r.risk
FROM unnest(%(contact_ids)s::bigint[], %(pacing_risks)s::real[])
     WITH ORDINALITY AS r(contact_id, risk, n)
JOIN contacts k ON k.id = r.contact_id
JOIN campaigns c ON c.id = k.campaign_id
WHERE k.campaign_id = %(campaign_id)s
ORDER BY r.n
RETURNING id
"""

_CLOSE = """
UPDATE call_attempts SET state = 'ended', outcome = %(outcome)s,
    sip_status = coalesce(%(sip_status)s, sip_status),
    sip_reason = coalesce(%(sip_reason)s, sip_reason),
    sip_call_id = coalesce(%(sip_call_id)s, sip_call_id),
    agent_id = coalesce(%(agent_id)s, agent_id),
    hangup_by = coalesce(%(hangup_by)s, hangup_by),
    recording_path = coalesce(%(recording_path)s, recording_path),
    amd_result = coalesce(%(amd_result)s, amd_result),
    amd_cause = coalesce(%(amd_cause)s, amd_cause),
    amd_decision_ms = coalesce(%(amd_decision_ms)s, amd_decision_ms),
    amd_machine_checked = coalesce(%(amd_machine_checked)s, amd_machine_checked),
    speech_end_at = coalesce(%(speech_end_at)s, speech_end_at),
    voicemail_start_at = coalesce(%(voicemail_start_at)s, voicemail_start_at),
    dial_at = coalesce(%(dial_at)s, dial_at), ring_at = coalesce(%(ring_at)s, ring_at),
    answer_at = coalesce(%(answer_at)s, answer_at),
    amd_decided_at = coalesce(%(amd_decided_at)s, amd_decided_at),
    agent_connect_at = coalesce(%(agent_connect_at)s, agent_connect_at),
    message_start_at = coalesce(%(message_start_at)s, message_start_at),
    hangup_at = coalesce(%(hangup_at)s, hangup_at, %(now)s)
WHERE id = %(id)s AND state <> 'ended'
  AND (%(only_if)s::text[] IS NULL OR state = ANY(%(only_if)s::text[]))
RETURNING campaign_id, contact_id, disposition IS NOT NULL
"""

# A transferred call closed after its agent's disposition: the attempt counts, and the
# contact stays as the disposition left it (a callback, a retry, DNC).
_COUNT_ONLY = """
UPDATE contacts SET attempts = attempts + 1, last_outcome = %(outcome)s,
    last_attempt_at = %(now)s
WHERE id = %(contact_id)s
"""

_OUTCOME_COUNT = """
SELECT count(*) FILTER (WHERE outcome = ANY(%(counted)s)) AS attempts,
       count(*) FILTER (WHERE outcome = %(outcome)s) AS same
FROM call_attempts WHERE contact_id = %(contact_id)s AND state = 'ended'
"""

_UPDATE_CONTACT = """
UPDATE contacts SET
    state = CASE WHEN state = 'dnc' THEN 'dnc' ELSE %(state)s END,
    next_eligible_at = coalesce(%(next_eligible_at)s, next_eligible_at),
    block_reason = CASE WHEN state = 'dnc' THEN block_reason ELSE %(block_reason)s END,
    attempts = attempts + %(increment)s,
    last_outcome = %(outcome)s,
    last_attempt_at = %(now)s,
    last_abandoned_at = CASE WHEN %(outcome)s = 'abandoned' THEN %(now)s ELSE last_abandoned_at END
WHERE id = %(contact_id)s
"""

# Outcomes that used up an attempt (everything but "never dialed" and "cancelled by us").
_COUNTED = [o.value for o in Outcome if o not in (Outcome.EXPIRED, Outcome.CANCELLED)]


def create_attempts(
    conn: Connection,
    campaign_id: int,
    contact_ids: list[int],
    *,
    now: datetime,
    expires_at: datetime,
    kind: str = "auto",
    pacing_risks: Sequence[float | None] = (),
) -> list[int]:
    """One queued attempt per (already claimed) contact; the caller commits, then enqueues.

    ``pacing_risks``: the pacing model's risk of each contact's call, in the same order (those
    missing are NULL: placed without the model)."""
    risks = [*pacing_risks[: len(contact_ids)]]
    risks += [None] * (len(contact_ids) - len(risks))
    rows = conn.execute(
        _INSERT_ATTEMPT,
        {
            "campaign_id": campaign_id,
            "contact_ids": contact_ids,
            "pacing_risks": risks,
            "kind": kind,
            "expires_at": expires_at,
            "now": now,
        },
    ).fetchall()
    return [int(row[0]) for row in rows]


def begin_dialing(
    conn: Connection, attempt_id: int, worker: str, now: datetime
) -> AttemptToDial | None:
    """Flip queued -> dialing and return what to dial; None if someone else has it or it expired.

    Commits before returning: the INVITE that follows must never precede a durable claim.
    """
    with conn.transaction():
        if (
            conn.execute(
                _BEGIN_DIALING, {"id": attempt_id, "worker": worker, "now": now}
            ).fetchone()
            is None
        ):
            return None
        with conn.cursor(row_factory=dict_row) as cur:
            row = cur.execute(_TO_DIAL, {"id": attempt_id}).fetchone()
    assert row is not None
    row["transfer_destinations"] = tuple(row["transfer_destinations"] or ())
    row["rule_set"] = RuleSetName(row["rule_set"])
    trunk_id = row.pop("trunk_id")
    trunk = get_trunk(conn, trunk_id).spec if trunk_id is not None else None
    return AttemptToDial(trunk=trunk, **row)


_TRANSFER = """
UPDATE call_attempts SET transfer_to = %(to)s, transfer_at = %(at)s, transfer_outcome = %(outcome)s
WHERE id = %(id)s
"""


def record_transfer(conn: Connection, attempt_id: int, to: str, at: datetime, outcome: str) -> None:
    """The attempt's (latest) transfer: destination, when it was asked for, what became of it."""
    with conn.transaction():
        conn.execute(_TRANSFER, {"id": attempt_id, "to": to, "at": at, "outcome": outcome})


def record_progress(
    conn: Connection, attempt_id: int, state: AttemptState, **columns: object
) -> bool:
    """Move an open attempt forward (ringing, answered, connected) with its timeline columns."""
    allowed = set(TIMELINE) | {"sip_call_id", "agent_id", "amd_result", "sip_status", "sip_reason"}
    unknown = set(columns) - allowed
    if unknown:
        raise ValueError(f"not attempt progress columns: {sorted(unknown)}")
    assignments = [sql.SQL("state = {}").format(sql.Placeholder("state"))]
    assignments += [
        sql.SQL("{} = {}").format(sql.Identifier(name), sql.Placeholder(name)) for name in columns
    ]
    query = sql.SQL("UPDATE call_attempts SET {} WHERE id = {} AND state <> 'ended'").format(
        sql.SQL(", ").join(assignments), sql.Placeholder("id")
    )
    with conn.transaction():
        done = conn.execute(query, {"state": state.value, "id": attempt_id, **columns})
    return done.rowcount == 1


def finish_attempt(
    conn: Connection,
    attempt_id: int,
    result: AttemptResult,
    now: datetime,
    only_if: tuple[AttemptState, ...] | None = None,
) -> bool:
    """Close the attempt and apply its outcome to the contact, once; False if already closed
    (or, with `only_if`, if it has moved out of those states meanwhile)."""
    params: dict[str, Any] = {
        "id": attempt_id,
        "only_if": None if only_if is None else [state.value for state in only_if],
        "now": now,
        "outcome": result.outcome.value,
        "sip_status": result.sip_status,
        "sip_reason": result.sip_reason,
        "sip_call_id": result.sip_call_id,
        "agent_id": result.agent_id,
        "hangup_by": result.hangup_by,
        "recording_path": result.recording_path,
        "amd_result": result.amd_result,
        "amd_cause": result.amd_cause,
        "amd_decision_ms": result.amd_decision_ms,
        "amd_machine_checked": result.amd_machine_checked,
    }
    params |= {name: result.timeline.get(name) for name in TIMELINE}
    with conn.transaction():
        row = conn.execute(_CLOSE, params).fetchone()
        if row is None:
            return False
        campaign_id, contact_id, disposed = int(row[0]), row[1], bool(row[2])
        if contact_id is not None and disposed:
            conn.execute(
                _COUNT_ONLY,
                {"outcome": result.outcome.value, "now": now, "contact_id": contact_id},
            )
        elif contact_id is not None:
            _apply_to_contact(conn, campaign_id, int(contact_id), result.outcome, now)
    return True


def _apply_to_contact(
    conn: Connection, campaign_id: int, contact_id: int, outcome: Outcome, now: datetime
) -> None:
    counts = conn.execute(
        _OUTCOME_COUNT, {"counted": _COUNTED, "outcome": outcome.value, "contact_id": contact_id}
    ).fetchone()
    assert counts is not None
    history = ContactHistory(attempts=int(counts[0]), attempts_with_this_outcome=int(counts[1]))
    campaign = campaign_store.get_campaign(conn, campaign_id)
    decision = decide_after_attempt(outcome, history, campaign.spec, now)
    conn.execute(
        _UPDATE_CONTACT,
        {
            "state": decision.state.value,
            "next_eligible_at": decision.next_eligible_at,
            "block_reason": decision.block_reason,
            "increment": 1 if decision.counts_as_attempt else 0,
            "outcome": outcome.value,
            "now": now,
            "contact_id": contact_id,
        },
    )


@dataclass(frozen=True)
class OpenAttempt:
    id: int
    campaign_id: int
    state: AttemptState
    worker: str | None
    queued_at: datetime
    expires_at: datetime | None
    dial_at: datetime | None


def open_attempts(conn: Connection) -> list[OpenAttempt]:
    """Attempts not yet ended, oldest first (the reaper's view)."""
    with conn.cursor(row_factory=dict_row) as cur:
        rows = cur.execute(
            "SELECT id, campaign_id, state, worker, queued_at, expires_at, dial_at"
            " FROM call_attempts WHERE state <> 'ended' ORDER BY queued_at"
        ).fetchall()
    return [OpenAttempt(**(row | {"state": AttemptState(row["state"])})) for row in rows]
