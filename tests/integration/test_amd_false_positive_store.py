"""The AMD verdict counts pacing reads, from real attempts and dispositions in PostgreSQL."""

from __future__ import annotations

from datetime import timedelta

from campaigns.amd_false_positives import estimate_false_positives
from campaigns.storage import pacing_store
from campaigns.storage.pacing_store import AmdVerdictCounts
from dialer.scheduler.observe import abandonment_counts
from tests.integration.report_data import Conn, at, attempt, campaign

NOW = at("2026-11-27 15:00")
TODAY = at("2026-11-27 00:00")


def _verdicts(db: Conn, campaign_id: int, window_days: int = 30) -> AmdVerdictCounts:
    return pacing_store.amd_verdicts(
        db,
        campaign_id,
        estimate_since=NOW - timedelta(days=window_days),
        day_start=TODAY,
        thirty_days_ago=NOW - timedelta(days=30),
    )


def test_dispositions_of_checked_verdicts_and_unheard_machines_are_counted(db: Conn) -> None:
    c = campaign(db, "Amd")
    other = campaign(db, "Other")
    earlier = NOW - timedelta(days=3)
    # MACHINE verdicts passed to agents: the agent said "person" twice, "machine" once
    for code in ("sale", "not_interested", "answering_machine"):
        attempt(db, c, earlier, "connected", amd="machine", disposition=code)
    attempt(db, c, earlier, "connected", amd="machine")  # not dispositioned yet: not a check
    # HUMAN verdicts: one was a machine
    attempt(db, c, earlier, "connected", amd="human", disposition="sale")
    attempt(db, c, earlier, "connected", amd="human", disposition="answering_machine")
    attempt(db, c, earlier, "abandoned", amd="human")
    # MACHINE verdicts nobody heard: 2 today, 3 earlier in the 30 days, 1 too old
    for queued in (NOW - timedelta(hours=1), NOW - timedelta(hours=2)):
        attempt(db, c, queued, "machine", amd="machine")
    for _ in range(3):
        attempt(db, c, earlier, "machine", amd="machine")
    attempt(db, c, NOW - timedelta(days=31), "machine", amd="machine")
    attempt(db, c, earlier, "machine")  # no AMD verdict (a disposition said machine)
    attempt(db, other, earlier, "machine", amd="machine")

    verdicts = _verdicts(db, c)

    assert verdicts == AmdVerdictCounts(
        machine_checked=3,
        machine_was_person=2,
        human_checked=2,
        human_was_machine=1,
        machine_hangups_today=2,
        machine_hangups_30_days=5,
    )


def test_the_estimate_uses_the_rule_sets_window(db: Conn) -> None:
    c = campaign(db, "Uk", rule_set="UK")
    attempt(db, c, NOW - timedelta(days=3), "connected", amd="machine", disposition="sale")
    attempt(db, c, NOW - timedelta(hours=3), "connected", amd="machine", disposition="callback")
    assert _verdicts(db, c, window_days=1).machine_checked == 1
    assert _verdicts(db, c, window_days=30).machine_checked == 2


def test_the_scheduler_turns_them_into_pacings_abandonment_counts(db: Conn) -> None:
    c = campaign(db, "Amd")
    for _ in range(40):
        attempt(db, c, NOW - timedelta(hours=1), "machine", amd="machine")
    for code in ("sale", *("answering_machine",) * 9):
        attempt(db, c, NOW - timedelta(hours=2), "connected", amd="machine", disposition=code)
    verdicts = _verdicts(db, c)
    estimate = estimate_false_positives(verdicts.checks)
    abandonment = pacing_store.abandonment(
        db, c, day_start=TODAY, hour_ago=NOW - timedelta(hours=1),
        thirty_days_ago=NOW - timedelta(days=30),
    )  # fmt: skip
    counts = abandonment_counts(abandonment, verdicts, estimate)
    assert counts.amd_machine_hangups_today == 40
    assert counts.amd_people_hung_up_today == 40 * estimate.person_given_machine
    # 1 person in 10 checks, shrunk towards the prior: between the two
    assert 0.0067 < estimate.person_given_machine < 0.1


def test_a_call_counts_as_abandoned_from_its_message_and_as_connected_from_its_agent(
    db: Conn,
) -> None:
    c = campaign(db, "Live")
    attempt(db, c, NOW - timedelta(minutes=5), "connected")
    attempt(db, c, NOW - timedelta(minutes=5), "abandoned")
    playing = attempt(db, c, NOW - timedelta(seconds=20), None)
    talking = attempt(db, c, NOW - timedelta(seconds=20), None)
    ringing = attempt(db, c, NOW - timedelta(seconds=20), None)
    db.execute(
        "UPDATE call_attempts SET state = 'answered', message_start_at = %s WHERE id = %s",
        (NOW - timedelta(seconds=5), playing),
    )
    db.execute("UPDATE call_attempts SET state = 'connected' WHERE id = %s", (talking,))
    db.execute("UPDATE call_attempts SET state = 'ringing' WHERE id = %s", (ringing,))

    counted = pacing_store.abandonment(
        db, c, day_start=TODAY, hour_ago=NOW - timedelta(hours=1),
        thirty_days_ago=NOW - timedelta(days=30),
    )  # fmt: skip

    assert (counted.abandoned_today, counted.live_answers_today) == (2, 4)
    assert (counted.abandoned_30_days, counted.live_answers_30_days) == (2, 4)
