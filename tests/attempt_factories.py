"""Ended outbound and inbound calls for the Calls pages' tests (integration and browser tiers)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from campaigns.attempt import Outcome
from campaigns.storage import attempt_store, inbound_store, recording_store
from campaigns.storage.attempt_store import AttemptResult
from campaigns.storage.db import Connection
from campaigns.storage.inbound_store import InboundOutcome
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


def evening_inbound_calls(db: Connection, agent_id: int, campaign_id: int) -> tuple[int, int, int]:
    """To queue "Help" of the campaign, the same evening: a recorded call the agent answered
    after 12 s and talked 3 min, a caller who hung up after 40 s; and a call to queue "Lost",
    which has no campaign. (answered, abandoned, lost)."""
    help_desk = inbound_store.add_queue(db, "Help", campaign_id, ["+18005550100"])
    lost = inbound_store.add_queue(db, "Lost", None, ["+18005550199"])
    calls = []
    for queue, did, caller in (
        (help_desk, "+18005550100", "+12125550001"),
        (help_desk, "+18005550100", "+12125550002"),
        (lost, "+18005550199", "+12125550003"),
    ):
        call_id, _ = inbound_store.offer_call(
            db, queue_id=queue, did=did, caller=caller, campaign_id=None,
            sip_call_id=f"in-{caller}", worker="inbound-0", at=EVENING,
        )  # fmt: skip
        calls.append(call_id)
    answered, abandoned, elsewhere = calls
    inbound_store.record_answered(db, answered, agent_id, EVENING + timedelta(seconds=12))
    inbound_store.finish_call(
        db, answered, InboundOutcome.ANSWERED, EVENING + timedelta(seconds=192),
        recording_path=f"recordings/inbound-{answered}.wav",
    )  # fmt: skip
    db.execute("UPDATE inbound_calls SET disposition = 'sale' WHERE id = %s", (answered,))
    ended = EVENING + timedelta(seconds=40)
    inbound_store.finish_call(db, abandoned, InboundOutcome.ABANDONED, ended)
    inbound_store.finish_call(db, elsewhere, InboundOutcome.ABANDONED, ended)
    db.commit()
    return answered, abandoned, elsewhere
