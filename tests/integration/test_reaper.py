"""Attempts nobody will finish are closed by the reaper, and their contacts move on."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from campaigns.storage import attempt_store
from campaigns.storage.db import Connection
from dialer.reaper import reap
from tests.factories import make_campaign, make_contacts

NOW = datetime(2026, 11, 26, 15, 0, tzinfo=UTC)


def _attempt(db: Connection, number: str = "+12025550111") -> tuple[int, int]:
    campaign = make_campaign(db, name=f"C{number[-4:]}", trunk_uri="sip:{number}@127.0.0.1:5999")
    [contact] = make_contacts(db, campaign, [number])
    db.execute("UPDATE contacts SET state = 'in_flight' WHERE id = %s", (contact,))
    [attempt] = attempt_store.create_attempts(
        db, campaign.id, [contact], now=NOW, expires_at=NOW + timedelta(seconds=30)
    )
    return attempt, contact


def _row(db: Connection, attempt: int, contact: int) -> tuple[object, ...]:
    row = db.execute(
        "SELECT a.state, a.outcome, k.state, k.attempts FROM call_attempts a"
        " JOIN contacts k ON k.id = a.contact_id WHERE a.id = %s",
        (attempt,),
    ).fetchone()
    assert row is not None and row[2] is not None and contact
    return tuple(row)


def test_a_queued_attempt_past_its_expiry_is_closed_and_its_contact_released(
    db: Connection,
) -> None:
    attempt, contact = _attempt(db)
    assert reap(db, set(), NOW + timedelta(seconds=10)).expired == 0
    assert reap(db, set(), NOW + timedelta(seconds=31)).expired == 1
    assert _row(db, attempt, contact) == ("ended", "expired", "dialable", 0)


def test_an_attempt_of_a_dead_worker_is_closed_as_worker_lost_and_retried_by_policy(
    db: Connection,
) -> None:
    attempt, contact = _attempt(db)
    attempt_store.begin_dialing(db, attempt, "worker-7", NOW)
    assert reap(db, {"worker-7"}, NOW + timedelta(minutes=5)).worker_lost == 0
    assert reap(db, {"worker-1"}, NOW + timedelta(seconds=5)).worker_lost == 0  # grace
    assert reap(db, {"worker-1"}, NOW + timedelta(minutes=5)).worker_lost == 1
    assert _row(db, attempt, contact) == ("ended", "worker_lost", "dialable", 1)


def test_the_reaper_never_closes_an_attempt_that_a_worker_took_meanwhile(db: Connection) -> None:
    attempt, contact = _attempt(db)
    attempt_store.begin_dialing(db, attempt, "worker-1", NOW + timedelta(seconds=29))
    # The reaper's snapshot said queued; by the time it closes, the row is dialing.
    from campaigns.attempt import AttemptState, Outcome
    from campaigns.storage.attempt_store import AttemptResult

    closed = attempt_store.finish_attempt(
        db, attempt, AttemptResult(Outcome.EXPIRED), NOW + timedelta(seconds=31),
        only_if=(AttemptState.QUEUED,),
    )  # fmt: skip
    assert not closed
    assert _row(db, attempt, contact)[0] == "dialing"
