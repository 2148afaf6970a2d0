"""Outbound attempts, contacts and agent states of the synthetic history, as COPY text lines.

Timestamps are formatted by hand from epoch seconds (datetime formatting would dominate the run)
and written in UTC; the loading session's time zone is UTC.
"""

from __future__ import annotations

import random
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import TYPE_CHECKING

from campaigns.storage.db import Connection
from dialer.bench.agent_days import HandledCall, StateSpan

if TYPE_CHECKING:
    from dialer.bench.history_setup import CampaignSetup

NON_CONNECTED_WEIGHTS = {
    "no_answer": 0.52,
    "machine": 0.14,
    "busy": 0.07,
    "failed": 0.03,
    "rejected": 0.02,
    "invalid_number": 0.02,
    "expired": 0.01,
    "cancelled": 0.005,
    "worker_lost": 0.001,
}
DISPOSITIONS = {
    "not_interested": 0.45,
    "sale": 0.12,
    "callback": 0.12,
    "answering_machine": 0.08,
    "wrong_number": 0.05,
    "do_not_call": 0.03,
    "no_contact": 0.03,
}
SIP_STATUS = {"busy": 486, "rejected": 603, "invalid_number": 404, "failed": 503}
RING_TIMEOUT_S = 25.0
# Share of AMD "machine" verdicts a later review found to be a person: AMD false positives.
AMD_FALSE_POSITIVE = 0.004
_EPOCH = date(1970, 1, 1)
_DAY_TEXT: dict[int, str] = {}
NULL = "\\N"

TABLES = {
    "attempts": (
        "call_attempts",
        "id, campaign_id, contact_id, called_number, caller_id, state, outcome, sip_status,"
        " agent_id, queued_at, dial_at, ring_at, answer_at, amd_result, amd_decided_at,"
        " agent_connect_at, message_start_at, hangup_at, hangup_by, disposition, disposition_at",
    ),
    "contacts": (
        "contacts",
        "id, campaign_id, list_id, phone_e164, time_zones, state, attempts, last_outcome,"
        " last_attempt_at, first_name, last_name",
    ),
    "states": (
        "agent_state_history",
        "agent_id, campaign_id, state, reason, attempt_id, started_at, ended_at",
    ),
    "inbound": (
        "inbound_calls",
        "queue_id, did, caller_number, agent_id, offered_at, answered_at, abandoned_at, ended_at,"
        " outcome, disposition, disposition_at",
    ),
}


def ts(seconds: float | None) -> str:
    if seconds is None:
        return NULL
    whole = int(seconds)
    millis = int((seconds - whole) * 1000)
    day, rest = divmod(whole, 86400)
    text = _DAY_TEXT.get(day)
    if text is None:
        text = _DAY_TEXT[day] = (_EPOCH + timedelta(days=day)).isoformat()
    hour, rest = divmod(rest, 3600)
    minute, second = divmod(rest, 60)
    return f"{text} {hour:02d}:{minute:02d}:{second:02d}.{millis:03d}+00"


def _text(value: object) -> str:
    return NULL if value is None else str(value)


@dataclass(slots=True)
class AttemptDraft:
    queued: float
    outcome: str
    dial: float | None = None
    ring: float | None = None
    answered: float | None = None
    amd: str | None = None
    amd_decided: float | None = None
    connected_at: float | None = None
    message_start: float | None = None
    hangup: float | None = None
    hangup_by: str | None = None
    sip_status: int | None = None
    agent_id: int | None = None
    disposition: str | None = None
    disposition_at: float | None = None
    contact_id: int = 0

    @classmethod
    def connected(cls, call: HandledCall, agent_id: int, rng: random.Random) -> AttemptDraft:
        ring = call.answered - rng.uniform(3, 20)
        dial = ring - rng.uniform(0.5, 2)
        disposition = None
        if rng.random() > 0.01:  # a few agents never disposition
            disposition = rng.choices(list(DISPOSITIONS), list(DISPOSITIONS.values()))[0]
        return cls(
            queued=dial - rng.uniform(0.05, 1),
            outcome="connected",
            dial=dial,
            ring=ring,
            answered=call.answered,
            connected_at=call.connected,
            hangup=call.hung_up,
            hangup_by=rng.choice(("customer", "agent")),
            sip_status=200,
            agent_id=agent_id,
            disposition=disposition,
            disposition_at=call.wrapped - 1 if disposition else None,
        )

    @classmethod
    def unconnected(cls, queued: float, outcome: str, rng: random.Random) -> AttemptDraft:
        draft = cls(queued=queued, outcome=outcome)
        if outcome == "expired":
            return draft
        draft.dial = queued + rng.uniform(0.05, 1)
        draft.ring = draft.dial + rng.uniform(0.5, 3)
        draft.hangup_by = "dialer"
        if outcome in ("no_answer", "cancelled"):
            draft.hangup = draft.ring + (RING_TIMEOUT_S if outcome == "no_answer" else 4)
            draft.sip_status = 487
        elif outcome in SIP_STATUS:
            draft.hangup, draft.sip_status, draft.hangup_by = (
                draft.ring,
                SIP_STATUS[outcome],
                "carrier",
            )
        elif outcome == "machine":
            draft.answered = draft.ring + rng.uniform(3, 15)
            draft.amd, draft.amd_decided = "machine", draft.answered + rng.uniform(1.5, 3.5)
            draft.hangup, draft.sip_status = draft.amd_decided + 0.2, 200
            if rng.random() < AMD_FALSE_POSITIVE:
                draft.disposition, draft.disposition_at = "not_interested", draft.hangup + 3600
        elif outcome == "abandoned":
            draft.answered = draft.ring + rng.uniform(3, 15)
            draft.message_start = draft.answered + rng.uniform(1.0, 2.0)
            draft.hangup, draft.sip_status = draft.message_start + 9, 200
        return draft  # worker_lost: dialed and ringing, then nothing more was recorded


@dataclass(slots=True)
class ContactStats:
    attempts: int = 0
    connected: bool = False
    last_outcome: str | None = None
    last_attempt: float | None = None

    def add(self, draft: AttemptDraft) -> None:
        if draft.outcome != "expired":
            self.attempts += 1
        self.connected = self.connected or draft.outcome == "connected"
        self.last_outcome, self.last_attempt = draft.outcome, draft.queued

    def state(self, rng: random.Random) -> str:
        if self.connected:
            return "done" if rng.random() > 0.08 else "callback"
        if self.attempts >= 5:
            return "exhausted"
        return "dnc" if rng.random() < 0.01 else "dialable"


def contact_rows(campaign: CampaignSetup, stats: list[ContactStats]) -> list[str]:
    rng = random.Random(campaign.id)
    lines = []
    for offset, contact in enumerate(stats):
        contact_id = campaign.first_contact_id + offset
        phone = (
            f"+447{contact_id % 1_000_000_000:09d}"
            if campaign.rule_set == "UK"
            else f"+1{201 + contact_id % 700:03d}{(contact_id // 700) % 10_000_000:07d}"
        )
        values = (
            contact_id,
            campaign.id,
            campaign.list_ids[offset % len(campaign.list_ids)],
            phone,
            "{" + campaign.timezone + "}",
            contact.state(rng),
            contact.attempts,
            _text(contact.last_outcome),
            ts(contact.last_attempt),
            f"First{offset % 997}",
            f"Last{offset % 991}",
        )
        lines.append("\t".join(str(v) for v in values))
    return lines


def format_attempt(attempt_id: int, campaign: CampaignSetup, d: AttemptDraft) -> str:
    contact_id = d.contact_id
    called = f"+1{201 + contact_id % 700:03d}{(contact_id // 700) % 10_000_000:07d}"
    if campaign.rule_set == "UK":
        called = f"+447{contact_id % 1_000_000_000:09d}"
    amd = d.amd if d.amd or not campaign.amd or d.answered is None else "human"
    return "\t".join(
        (
            str(attempt_id),
            str(campaign.id),
            str(contact_id),
            called,
            campaign.caller_id,
            "ended",
            d.outcome,
            _text(d.sip_status),
            _text(d.agent_id),
            ts(d.queued),
            ts(d.dial),
            ts(d.ring),
            ts(d.answered),
            _text(amd),
            ts(d.amd_decided),
            ts(d.connected_at),
            ts(d.message_start),
            ts(d.hangup),
            _text(d.hangup_by),
            _text(d.disposition),
            ts(d.disposition_at),
        )
    )


def format_state(
    agent_id: int, campaign_id: int | None, span: StateSpan, attempt: int | None
) -> str:
    return "\t".join(
        (
            str(agent_id),
            _text(campaign_id),
            span.state,
            _text(span.reason),
            _text(attempt),
            ts(span.started),
            ts(span.ended),
        )
    )


class CopyWriter:
    """COPY text lines into the history tables, counting rows and handing out explicit ids."""

    BATCH = 20_000

    def __init__(self, conn: Connection) -> None:
        self.conn = conn
        self.counts = {kind: 0 for kind in TABLES}
        self._next_attempt_id = 1

    def reserve(self, kind: str, count: int) -> range:
        assert kind == "attempts"
        first = self._next_attempt_id
        self._next_attempt_id += count
        return range(first, first + count)

    def copy(self, kind: str, lines: Iterable[str]) -> None:
        table, columns = TABLES[kind]
        with self.conn.cursor() as cur, cur.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
            batch: list[str] = []
            for line in lines:
                batch.append(line)
                if len(batch) >= self.BATCH:
                    copy.write("\n".join(batch) + "\n")
                    self.counts[kind] += len(batch)
                    batch.clear()
            if batch:
                copy.write("\n".join(batch) + "\n")
                self.counts[kind] += len(batch)
