"""Abandonment per day and rolling, computed by hand (COMPLIANCE.md's denominator rules)."""

from __future__ import annotations

from datetime import date

import pytest

from campaigns.report_filter import ReportFilter
from campaigns.report_rows import DailyAbandonment
from campaigns.storage.reports.abandonment import abandonment_per_day
from tests.integration.report_data import Conn, at, attempt, attempts, campaign


def _one_day(db: Conn, campaign_id: int, day: date, tz: str = "UTC") -> DailyAbandonment:
    rows = abandonment_per_day(db, ReportFilter((campaign_id,), day, day, tz))
    assert len(rows) == 1
    return rows[0]


def test_machine_busy_and_unanswered_calls_are_not_in_the_denominator(db: Conn) -> None:
    c = campaign(db, "Drops")
    noon = at("2026-11-02 12:00")
    attempts(db, c, noon, "connected", 10)
    attempts(db, c, noon, "abandoned", 1)
    attempts(db, c, noon, "machine", 5)
    attempts(db, c, noon, "busy", 3)
    attempts(db, c, noon, "no_answer", 7)
    attempts(db, c, noon, "failed", 2)
    db.commit()

    row = _one_day(db, c, date(2026, 11, 2))

    assert (row.live_answers, row.abandoned) == (11, 1)
    assert row.rate == pytest.approx(1 / 11)
    assert row.cap == 0.03 and row.target == 0.025 and row.window_days == 30


def test_a_person_that_amd_hung_up_on_counts_as_an_abandoned_live_answer(db: Conn) -> None:
    c = campaign(db, "AMD")
    noon = at("2026-11-02 12:00")
    attempts(db, c, noon, "connected", 8)
    # AMD said machine; a review found a person ("not_interested" is a human disposition).
    attempt(db, c, noon, "machine", amd="machine", disposition="not_interested")
    # AMD said machine and it was one ("answering_machine" is not human): not a live answer.
    attempt(db, c, noon, "machine", amd="machine", disposition="answering_machine")
    attempt(db, c, noon, "machine", amd="machine")
    db.commit()

    row = _one_day(db, c, date(2026, 11, 2))

    assert (row.live_answers, row.abandoned) == (9, 1)


def test_a_machine_an_agent_heard_and_dispositioned_is_not_a_live_answer(db: Conn) -> None:
    c = campaign(db, "No AMD")
    noon = at("2026-11-02 12:00")
    attempts(db, c, noon, "connected", 8)
    attempt(db, c, noon, "abandoned")
    # AMD off (or it said human): the agent heard a machine and said so.
    attempt(db, c, noon, "connected", disposition="answering_machine")
    attempt(db, c, noon, "connected", amd="human", disposition="answering_machine")
    attempt(db, c, noon, "connected", disposition="sale")
    db.commit()

    row = _one_day(db, c, date(2026, 11, 2))

    assert (row.live_answers, row.abandoned) == (10, 1)


def test_the_rolling_rate_covers_the_thirty_days_ending_that_day(db: Conn) -> None:
    c = campaign(db, "Rolling")
    attempts(db, c, at("2026-11-01 10:00"), "abandoned", 1)
    attempts(db, c, at("2026-11-01 10:00"), "connected", 9)
    attempts(db, c, at("2026-11-30 10:00"), "connected", 10)
    db.commit()

    rows = abandonment_per_day(db, ReportFilter((c,), date(2026, 11, 30), date(2026, 12, 1)))
    nov30, dec1 = rows

    # Nov 30 looks back to Nov 1 (30 days including itself); Dec 1 no longer sees Nov 1.
    assert (nov30.rolling_live_answers, nov30.rolling_abandoned) == (20, 1)
    assert nov30.rolling_rate == pytest.approx(0.05)
    assert (dec1.rolling_live_answers, dec1.rolling_abandoned) == (10, 0)
    assert dec1.rolling_rate == 0.0
    # The day's own rate only sees the day.
    assert nov30.rate == 0.0 and dec1.rate is None


def test_a_uk_campaign_measures_each_day_on_its_own(db: Conn) -> None:
    c = campaign(db, "UK", rule_set="UK")
    attempts(db, c, at("2026-11-01 10:00"), "abandoned", 1)
    attempts(db, c, at("2026-11-02 10:00"), "connected", 4)
    db.commit()

    row = _one_day(db, c, date(2026, 11, 2))

    assert row.window_days == 1
    assert (row.rolling_live_answers, row.rolling_abandoned) == (4, 0)


def test_days_are_the_campaign_s_own_calendar_days_whatever_the_viewer_s_zone(db: Conn) -> None:
    c = campaign(db, "Zones", tz="America/New_York")
    # 03:00 UTC on Nov 2 is 22:00 on Nov 1 in New York (EST, UTC-5).
    attempts(db, c, at("2026-11-02 03:00"), "abandoned", 1)
    db.commit()

    assert _one_day(db, c, date(2026, 11, 1), "UTC").abandoned == 1
    assert _one_day(db, c, date(2026, 11, 1), "Asia/Tokyo").abandoned == 1
    assert _one_day(db, c, date(2026, 11, 2), "UTC").abandoned == 0


def test_moving_a_campaign_to_another_zone_recounts_its_days(db: Conn) -> None:
    c = campaign(db, "Moving", tz="America/New_York")
    attempts(db, c, at("2026-11-02 03:00"), "abandoned", 1)
    db.commit()

    db.execute("UPDATE campaigns SET timezone = 'Europe/London' WHERE id = %s", (c,))
    db.commit()

    assert _one_day(db, c, date(2026, 11, 1)).abandoned == 0
    assert _one_day(db, c, date(2026, 11, 2)).abandoned == 1


def test_a_day_without_live_answers_has_no_rate_rather_than_zero(db: Conn) -> None:
    c = campaign(db, "Quiet")
    attempts(db, c, at("2026-11-02 10:00"), "no_answer", 3)
    db.commit()

    row = _one_day(db, c, date(2026, 11, 2))

    assert row.live_answers == 0 and row.rate is None and row.rolling_rate is None


def test_every_campaign_gets_its_own_line_when_none_is_chosen(db: Conn) -> None:
    first, second = campaign(db, "One"), campaign(db, "Two", rule_set="UK")
    attempts(db, first, at("2026-11-02 10:00"), "connected", 1)
    db.commit()

    rows = abandonment_per_day(db, ReportFilter((), date(2026, 11, 2), date(2026, 11, 2)))

    assert [(r.campaign_id, r.window_days) for r in rows] == [(first, 30), (second, 1)]
