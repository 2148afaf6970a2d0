"""The attempt state machine in PostgreSQL: one INVITE per attempt, one outcome per attempt."""

from __future__ import annotations

import concurrent.futures
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import psycopg
import pytest

from campaigns.attempt import AttemptState, Outcome
from campaigns.rules import RULE_SETS, RuleSetName
from campaigns.storage import attempt_store, campaign_store
from campaigns.storage.attempt_store import AttemptResult
from campaigns.storage.db import Connection, connect
from dialer.call_flow.model import claim_window
from dialer.dialing.spec import attempt_spec
from dialer.scheduler.pacer import policy_for
from tests.factories import make_campaign, make_contacts

NOW = datetime(2026, 11, 26, 15, 0, tzinfo=UTC)


def _queued(db: Connection, expires_in: float = 60) -> tuple[int, int]:
    campaign = make_campaign(db, trunk_uri="sip:{number}@127.0.0.1:5999")
    [contact] = make_contacts(db, campaign, ["+12025550111"])
    [attempt] = attempt_store.create_attempts(
        db, campaign.id, [contact], now=NOW, expires_at=NOW + timedelta(seconds=expires_in)
    )
    db.commit()
    return attempt, contact


def test_only_one_of_many_concurrent_deliveries_gets_to_dial(
    db: Connection, database_url: str
) -> None:
    attempt, _ = _queued(db)

    def deliver(n: int) -> bool:
        with connect(database_url) as conn:
            return attempt_store.begin_dialing(conn, attempt, f"worker-{n}", NOW) is not None

    with concurrent.futures.ThreadPoolExecutor(max_workers=8) as pool:
        winners = [won for won in pool.map(deliver, range(16)) if won]
    assert winners == [True]


def test_begin_dialing_returns_what_the_worker_needs(db: Connection) -> None:
    attempt, contact = _queued(db)
    to_dial = attempt_store.begin_dialing(db, attempt, "w1", NOW)
    assert to_dial is not None
    assert to_dial.called_number == "+12025550111"
    assert to_dial.caller_id == "+12025550100"
    assert to_dial.contact_id == contact
    assert to_dial.trunk is not None and to_dial.trunk.uri_template.startswith("sip:{number}")
    assert to_dial.ring_timeout_s >= 15


def test_a_call_gets_its_campaigns_rule_set_wait_for_an_agent(
    db: Connection, tmp_path: Path
) -> None:
    """The worker's hand-off window is the rule set's, as the scheduler's pacing assumes."""
    campaign = make_campaign(db, trunk_uri="sip:{number}@127.0.0.1:5999", rule_set=RuleSetName.UK)
    [contact] = make_contacts(db, campaign, ["+442079460000"])
    [attempt] = attempt_store.create_attempts(
        db, campaign.id, [contact], now=NOW, expires_at=NOW + timedelta(seconds=60)
    )
    db.commit()
    to_dial = attempt_store.begin_dialing(db, attempt, "w1", NOW)
    assert to_dial is not None and to_dial.rule_set is RuleSetName.UK
    message = tmp_path / "abandon.wav"
    message.write_bytes(b"RIFF")  # an uploaded message: used as it is
    handoff = attempt_spec(replace(to_dial, abandon_message=str(message)), tmp_path).handoff
    assert handoff is not None
    assert handoff.connect_window == RULE_SETS[RuleSetName.UK].agent_wait
    pacing = policy_for(campaign_store.get_campaign(db, campaign.id))
    assert pacing is not None
    assert pacing.max_wait_seconds == claim_window(handoff.connect_window).total_seconds()


def test_an_expired_attempt_is_never_dialed(db: Connection) -> None:
    attempt, _ = _queued(db, expires_in=5)
    assert attempt_store.begin_dialing(db, attempt, "w1", NOW + timedelta(seconds=6)) is None


def test_closing_twice_applies_the_outcome_to_the_contact_once(db: Connection) -> None:
    attempt, contact = _queued(db)
    attempt_store.begin_dialing(db, attempt, "w1", NOW)
    result = AttemptResult(Outcome.BUSY, sip_status=486, sip_reason="Busy Here")
    assert attempt_store.finish_attempt(db, attempt, result, NOW)
    assert not attempt_store.finish_attempt(db, attempt, result, NOW)
    row = db.execute(
        "SELECT state, attempts, next_eligible_at, last_outcome FROM contacts WHERE id = %s",
        (contact,),
    ).fetchone()
    assert row == ("dialable", 1, NOW + timedelta(minutes=15), "busy")
    ended = db.execute(
        "SELECT state, outcome, sip_status FROM call_attempts WHERE id = %s", (attempt,)
    )
    assert ended.fetchone() == ("ended", "busy", 486)


def test_progress_is_recorded_with_its_timeline_and_refused_after_the_end(
    db: Connection,
) -> None:
    attempt, _ = _queued(db)
    attempt_store.begin_dialing(db, attempt, "w1", NOW)
    ring = NOW + timedelta(seconds=2)
    assert attempt_store.record_progress(db, attempt, AttemptState.RINGING, ring_at=ring)
    attempt_store.finish_attempt(db, attempt, AttemptResult(Outcome.NO_ANSWER, sip_status=487), NOW)
    assert not attempt_store.record_progress(db, attempt, AttemptState.ANSWERED, answer_at=NOW)
    row = db.execute(
        "SELECT ring_at, answer_at FROM call_attempts WHERE id = %s", (attempt,)
    ).fetchone()
    assert row == (ring, None)


def test_progress_columns_come_from_an_allow_list(db: Connection) -> None:
    attempt, _ = _queued(db)
    with pytest.raises(ValueError, match="not attempt progress columns"):
        attempt_store.record_progress(db, attempt, AttemptState.RINGING, **{"state = 'x' --": NOW})


def test_a_contact_never_has_two_attempts_in_flight(db: Connection) -> None:
    attempt, contact = _queued(db)
    campaign_id = db.execute(
        "SELECT campaign_id FROM call_attempts WHERE id = %s", (attempt,)
    ).fetchone()
    assert campaign_id is not None
    with pytest.raises(psycopg.errors.UniqueViolation):
        attempt_store.create_attempts(
            db, campaign_id[0], [contact], now=NOW, expires_at=NOW + timedelta(seconds=60)
        )


def test_a_machine_verdict_is_kept_with_its_cause_timing_and_voicemail_start(
    db: Connection,
) -> None:
    attempt, contact = _queued(db)
    attempt_store.begin_dialing(db, attempt, "w1", NOW)
    answer = NOW + timedelta(seconds=3)
    decided = answer + timedelta(seconds=3.4)
    voicemail = answer + timedelta(seconds=9)
    result = AttemptResult(
        Outcome.MACHINE,
        sip_status=200,
        amd_result="machine",
        amd_cause="long greeting",
        amd_decision_ms=3400,
        timeline={
            "answer_at": answer,
            "amd_decided_at": decided,
            "speech_end_at": decided,
            "voicemail_start_at": voicemail,
        },
    )
    assert attempt_store.finish_attempt(db, attempt, result, NOW)
    row = db.execute(
        "SELECT outcome, amd_result, amd_cause, amd_decision_ms, amd_decided_at, speech_end_at,"
        " voicemail_start_at FROM call_attempts WHERE id = %s",
        (attempt,),
    ).fetchone()
    assert row == ("machine", "machine", "long greeting", 3400, decided, decided, voicemail)
    last = db.execute("SELECT last_outcome FROM contacts WHERE id = %s", (contact,)).fetchone()
    assert last == ("machine",)  # the campaign's retry rule for machines applies


def test_attempts_keep_the_pacing_risk_of_each_call_in_the_claims_order(db: Connection) -> None:
    campaign = make_campaign(db, trunk_uri="sip:{number}@127.0.0.1:5999")
    contacts = make_contacts(db, campaign, ["+12025550113", "+12025550111", "+12025550112"])
    claimed = [contacts[2], contacts[0], contacts[1]]  # the claim's priority order
    attempts = attempt_store.create_attempts(
        db,
        campaign.id,
        claimed,
        now=NOW,
        expires_at=NOW + timedelta(seconds=60),
        pacing_risks=(0.001, 0.02),  # the third call was placed without the model
    )
    rows = db.execute(
        "SELECT id, contact_id, pacing_risk FROM call_attempts WHERE id = ANY(%s)", [attempts]
    ).fetchall()
    stored = {contact: risk for _, contact, risk in rows}
    assert [int(row[0]) for row in sorted(rows, key=lambda r: claimed.index(r[1]))] == attempts
    assert stored[claimed[0]] == pytest.approx(0.001)
    assert stored[claimed[1]] == pytest.approx(0.02)
    assert stored[claimed[2]] is None
