"""Ended outbound calls for the Calls page tests (integration and browser tiers)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from campaigns.attempt import Outcome
from campaigns.storage import attempt_store, recording_store
from campaigns.storage.attempt_store import AttemptResult
from campaigns.storage.db import Connection
from tests.factories import make_campaign, make_contacts

# 2026-11-02 23:30 in New York is 04:30 UTC on the 3rd: the day a supervisor there means.
EVENING = datetime(2026, 11, 3, 4, 30, tzinfo=UTC)


def evening_calls(db: Connection, agent_id: int) -> tuple[int, int, int, int]:
    """Campaign "Evening" (New York) with a recorded sale by the agent, a busy and a machine,
    and campaign "Other" with one call: (campaign id, sale, busy, machine)."""
    campaign = make_campaign(db, "Evening", timezone="America/New_York")
    other = make_campaign(db, "Other")
    numbers = ["+12025550101", "+12025550102", "+12025550103"]
    sale, busy, machine = attempt_store.create_attempts(
        db, campaign.id, make_contacts(db, campaign, numbers), now=EVENING,
        expires_at=EVENING + timedelta(seconds=60),
    )  # fmt: skip
    (elsewhere,) = attempt_store.create_attempts(
        db, other.id, make_contacts(db, other, ["+12025550104"]), now=EVENING,
        expires_at=EVENING + timedelta(seconds=60),
    )  # fmt: skip
    answer = EVENING + timedelta(seconds=5)
    for attempt, outcome, taker in (
        (sale, Outcome.CONNECTED, agent_id),
        (busy, Outcome.BUSY, None),
        (machine, Outcome.MACHINE, None),
        (elsewhere, Outcome.CONNECTED, agent_id),
    ):
        attempt_store.begin_dialing(db, attempt, "w1", EVENING)
        timeline = {"answer_at": answer}
        if taker is not None:
            timeline["agent_connect_at"] = answer + timedelta(seconds=1)
        result = AttemptResult(outcome, sip_status=200, agent_id=taker, timeline=timeline)
        assert attempt_store.finish_attempt(db, attempt, result, answer + timedelta(seconds=43))
    db.execute("UPDATE call_attempts SET disposition = 'sale' WHERE id = %s", (sale,))
    db.commit()
    recording_store.set_recording_path(db, sale, f"recordings/attempt-{sale}.wav")
    return campaign.id, sale, busy, machine
