"""Closes attempts nobody will finish: queued past their expiry, or owned by a dead worker.

The broker cannot be trusted to say what happened to a task (ECOSYSTEM_NOTES.md), so the attempt
rows are the truth: a queued attempt past its expiry was never dialed (the compare-and-set refuses
it after expiry), and an attempt whose worker stopped heart-beating was lost mid-call. Either way
the contact's next step follows the campaign's retry policy, as for any other outcome.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from campaigns.attempt import AttemptState, Outcome
from campaigns.storage import attempt_store
from campaigns.storage.attempt_store import AttemptResult
from campaigns.storage.db import Connection

log = logging.getLogger(__name__)

# A worker's first heartbeat may lag its first attempt by a moment; don't call it dead before this.
STARTUP_GRACE = timedelta(seconds=15)
_IN_CALL = (
    AttemptState.DIALING,
    AttemptState.RINGING,
    AttemptState.ANSWERED,
    AttemptState.CONNECTED,
)


@dataclass(frozen=True)
class Reaped:
    expired: int
    worker_lost: int


def reap(conn: Connection, live_workers: set[str], now: datetime) -> Reaped:
    expired = lost = 0
    for attempt in attempt_store.open_attempts(conn):
        if attempt.state is AttemptState.QUEUED:
            if attempt.expires_at is not None and attempt.expires_at <= now:
                closed = attempt_store.finish_attempt(
                    conn,
                    attempt.id,
                    AttemptResult(Outcome.EXPIRED),
                    now,
                    only_if=(AttemptState.QUEUED,),
                )
                expired += closed
            continue
        started = attempt.dial_at or attempt.queued_at
        if attempt.worker not in live_workers and now - started > STARTUP_GRACE:
            closed = attempt_store.finish_attempt(
                conn,
                attempt.id,
                AttemptResult(
                    Outcome.WORKER_LOST, sip_reason=f"worker {attempt.worker} disappeared"
                ),
                now,
                only_if=_IN_CALL,
            )
            if closed:
                log.warning(
                    "attempt %s (campaign %s) closed as worker_lost: worker %s has no heartbeat",
                    attempt.id,
                    attempt.campaign_id,
                    attempt.worker,
                )
            lost += closed
    return Reaped(expired, lost)
