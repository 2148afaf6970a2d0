"""The counts one pacing decision reads in a single statement, from real attempts in PostgreSQL."""

from __future__ import annotations

from datetime import timedelta

from campaigns.storage import pacing_store
from tests.integration.report_data import Conn, at, attempt, campaign

NOW = at("2026-11-27 15:00")
TODAY = at("2026-11-27 00:00")


def _on_trunk(db: Conn, max_lines: int, *campaign_ids: int) -> int:
    row = db.execute(
        "INSERT INTO trunks (name, uri_template, max_lines) VALUES ('t', 'sip:{number}@h', %s)"
        " RETURNING id",
        (max_lines,),
    ).fetchone()
    assert row is not None
    db.execute(
        "UPDATE campaigns SET trunk_id = %s WHERE id = ANY(%s)", (row[0], list(campaign_ids))
    )
    return int(row[0])


def test_one_statement_reads_abandonment_the_trunks_open_calls_and_the_queued_attempts(
    db: Conn,
) -> None:
    paced, sharing, elsewhere = (campaign(db, name) for name in ("Paced", "Sharing", "Elsewhere"))
    trunk = _on_trunk(db, 30, paced, sharing)
    attempt(db, paced, NOW - timedelta(hours=2), "connected")
    attempt(db, paced, NOW - timedelta(hours=2), "abandoned")
    attempt(db, paced, NOW - timedelta(days=3), "connected")
    attempt(db, paced, NOW - timedelta(seconds=5), None)  # queued, open on the trunk
    attempt(db, sharing, NOW - timedelta(seconds=5), None)  # the same trunk
    attempt(db, elsewhere, NOW - timedelta(seconds=5), None)  # queued: takes a worker line

    load = pacing_store.campaign_load(
        db, paced, trunk, day_start=TODAY, hour_ago=NOW - timedelta(hours=1),
        thirty_days_ago=NOW - timedelta(days=30), inbound_since=NOW - timedelta(minutes=15),
    )  # fmt: skip

    assert load.abandonment == pacing_store.abandonment(
        db, paced, day_start=TODAY, hour_ago=NOW - timedelta(hours=1),
        thirty_days_ago=NOW - timedelta(days=30),
    )  # fmt: skip
    assert (load.abandonment.abandoned_today, load.abandonment.live_answers_today) == (1, 2)
    assert load.abandonment.live_answers_30_days == 3
    assert (load.trunk_max_lines, load.calls_on_trunk, load.queued_attempts) == (30, 2, 3)


def test_a_machine_an_agent_heard_is_not_a_live_answer(db: Conn) -> None:
    c = campaign(db, "No AMD")
    two_hours_ago = NOW - timedelta(hours=2)
    attempt(db, c, two_hours_ago, "connected", disposition="sale")
    attempt(db, c, two_hours_ago, "connected")  # not dispositioned yet: a live answer for now
    attempt(db, c, two_hours_ago, "connected", disposition="answering_machine")
    attempt(db, c, two_hours_ago, "connected", amd="human", disposition="answering_machine")
    attempt(db, c, two_hours_ago, "abandoned")

    counts = pacing_store.abandonment(
        db, c, day_start=TODAY, hour_ago=NOW - timedelta(hours=1),
        thirty_days_ago=NOW - timedelta(days=30),
    )  # fmt: skip

    assert (counts.abandoned_today, counts.live_answers_today) == (1, 3)
    assert (counts.abandoned_30_days, counts.live_answers_30_days) == (1, 3)
