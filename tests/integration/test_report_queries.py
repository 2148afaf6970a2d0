"""Each report query on a small data set whose answer is worked out by hand."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from campaigns.errors import ValidationError
from campaigns.report_filter import ReportFilter, Sort
from campaigns.storage.reports.agents import agent_performance_report
from campaigns.storage.reports.best_time import best_time_to_call
from campaigns.storage.reports.calls_per_hour import calls_per_hour
from campaigns.storage.reports.inbound import inbound_per_hour
from campaigns.storage.reports.lists import list_state_counts
from campaigns.storage.reports.outcomes import outcome_breakdown, outcome_funnel
from campaigns.storage.reports.wallboard import wallboard_figures
from tests.integration.report_data import (
    Conn,
    agent,
    at,
    attempt,
    attempts,
    campaign,
    contact,
    contact_list,
    inbound,
    queue,
    state,
)

NOV2 = date(2026, 11, 2)


def _nov2(*campaign_ids: int, tz: str = "UTC") -> ReportFilter:
    return ReportFilter(campaign_ids, NOV2, NOV2, tz)


def test_calls_per_hour_are_stacked_by_outcome_in_local_hours(db: Conn) -> None:
    c = campaign(db, "Hourly")
    attempts(db, c, at("2026-11-02 14:10"), "connected", 2)
    attempts(db, c, at("2026-11-02 14:50"), "busy", 1)
    attempts(db, c, at("2026-11-02 15:05"), "connected", 1)
    inbound(db, queue(db, c, "Q"), at("2026-11-02 14:20"), "answered", 5, 60)
    db.commit()

    rows = calls_per_hour(db, _nov2(c, tz="America/New_York"))

    local = [(r.hour, r.direction, r.outcome, r.calls) for r in rows]
    assert local == [
        (datetime(2026, 11, 2, 9), "inbound", "answered", 1),
        (datetime(2026, 11, 2, 9), "outbound", "busy", 1),
        (datetime(2026, 11, 2, 9), "outbound", "connected", 2),
        (datetime(2026, 11, 2, 10), "outbound", "connected", 1),
    ]


def test_the_hour_repeated_when_clocks_go_back_adds_up(db: Conn) -> None:
    c = campaign(db, "Autumn")
    # New York, 1 Nov 2026: 01:30 happens twice, at 05:30 UTC (EDT) and 06:30 UTC (EST).
    attempts(db, c, at("2026-11-01 05:30"), "busy", 1)
    attempts(db, c, at("2026-11-01 06:30"), "busy", 2)
    db.commit()

    rows = calls_per_hour(
        db, ReportFilter((c,), date(2026, 11, 1), date(2026, 11, 1), "America/New_York")
    )

    assert [(r.hour, r.calls) for r in rows] == [(datetime(2026, 11, 1, 1), 3)]


def test_a_campaign_filter_leaves_out_other_campaigns_and_their_queues(db: Conn) -> None:
    mine, other = campaign(db, "Mine"), campaign(db, "Other")
    attempts(db, mine, at("2026-11-02 10:00"), "busy", 1)
    attempts(db, other, at("2026-11-02 10:00"), "busy", 5)
    inbound(db, queue(db, other, "Other queue"), at("2026-11-02 10:00"), "answered", 1)
    db.commit()

    rows = calls_per_hour(db, _nov2(mine))
    everything = calls_per_hour(db, _nov2())

    assert [(r.direction, r.calls) for r in rows] == [("outbound", 1)]
    assert sorted((r.direction, r.calls) for r in everything) == [("inbound", 1), ("outbound", 6)]


def test_the_funnel_goes_from_dials_to_dispositions(db: Conn) -> None:
    c = campaign(db, "Funnel")
    noon = at("2026-11-02 12:00")
    attempts(db, c, noon, "expired", 4)  # never dialed
    attempts(db, c, noon, "no_answer", 10)
    attempts(db, c, noon, "machine", 3)
    attempts(db, c, noon, "abandoned", 1)
    attempts(db, c, noon, "connected", 2)
    for _ in range(4):
        attempt(db, c, noon, "connected", disposition="sale")
    db.commit()

    stages = outcome_funnel(db, _nov2(c))

    assert [(s.stage, s.calls) for s in stages] == [
        ("dials", 20),
        ("answered", 10),
        ("connected", 6),
        ("dispositioned", 4),
    ]
    assert stages[1].share_of_dials == pytest.approx(0.5)


def test_the_outcome_breakdown_sorts_by_an_allowed_column_and_names_dispositions(
    db: Conn,
) -> None:
    c = campaign(db, "Breakdown")
    noon = at("2026-11-02 12:00")
    attempts(db, c, noon, "busy", 3)
    attempt(db, c, noon, "connected", disposition="not_interested")
    db.commit()

    by_count = outcome_breakdown(db, _nov2(c))
    by_outcome = outcome_breakdown(db, _nov2(c), Sort("outcome", descending=False))

    assert [(r.outcome, r.attempts) for r in by_count] == [("busy", 3), ("connected", 1)]
    assert [r.outcome for r in by_outcome] == ["busy", "connected"]
    assert by_count[1].disposition_label == "Not interested"


def test_agent_performance_sums_states_and_splits_intervals_at_midnight(db: Conn) -> None:
    c = campaign(db, "Agents")
    ann = agent(db, "ann")
    t = at("2026-11-02 09:00")

    def after(seconds: int) -> datetime:
        return t.__class__.fromtimestamp(t.timestamp() + seconds, t.tzinfo)

    state(db, ann, c, "ready", t, 100)
    state(db, ann, c, "reserved", after(100), 2)
    state(db, ann, c, "on_call", after(102), 180)
    state(db, ann, c, "wrap_up", after(282), 20)
    state(db, ann, c, "ready", after(302), 98)
    state(db, ann, c, "reserved", after(400), 2)
    state(db, ann, c, "on_call", after(402), 60)
    state(db, ann, c, "wrap_up", after(462), 40)
    state(db, ann, c, "paused", after(502), 600, "lunch")
    state(db, ann, c, "paused", after(1102), 300, "break")
    state(db, ann, c, "paused", after(1402), 100, "break")
    state(db, ann, c, "on_call", after(1502), None)  # still on the call: not counted yet
    # 23:50 to 00:10: ten minutes on each day.
    state(db, ann, c, "ready", at("2026-11-02 23:50"), 1200)
    db.commit()

    (row,) = agent_performance_report(db, _nov2(c))

    assert row.agent_name == "Ann"
    assert row.calls_handled == 2
    assert (row.talk_s, row.wrap_s, row.reserved_s) == (240, 60, 4)
    assert row.idle_s == 100 + 98 + 600
    assert row.pause_s == 1000
    assert row.pause_by_reason == (("lunch", 600.0), ("break", 400.0))
    assert row.occupancy == pytest.approx(304 / (304 + 798))
    assert row.aht_s == pytest.approx(150)
    next_day = agent_performance_report(
        db, ReportFilter((c,), date(2026, 11, 3), date(2026, 11, 3))
    )
    assert next_day[0].idle_s == 600 and next_day[0].calls_handled == 0


def test_a_blended_agent_s_waiting_time_is_shared_between_its_campaigns(db: Conn) -> None:
    first, second = campaign(db, "First"), campaign(db, "Second")
    bo = agent(db, "bo")
    state(db, bo, None, "ready", at("2026-11-02 09:00"), 100, worked=(first, second))
    state(db, bo, first, "on_call", at("2026-11-02 09:02"), 60)
    state(db, bo, None, "paused", at("2026-11-02 09:03"), 30, "break")  # no campaign at all
    db.commit()

    (in_first,) = agent_performance_report(db, _nov2(first))
    (in_second,) = agent_performance_report(db, _nov2(second))
    (overall,) = agent_performance_report(db, _nov2())

    assert (in_first.idle_s, in_first.talk_s, in_first.calls_handled) == (50, 60, 1)
    assert (in_second.idle_s, in_second.talk_s, in_second.calls_handled) == (50, 0, 0)
    assert (overall.idle_s, overall.talk_s, overall.pause_s) == (100, 60, 30)


def test_list_penetration_counts_contacts_by_state_and_attempts(db: Conn) -> None:
    c = campaign(db, "Lists")
    first, second = contact_list(db, c, "First"), contact_list(db, c, "Second")
    contact(db, c, first, "+12025550001")
    contact(db, c, first, "+12025550002", "dialable", 1)
    done = contact(db, c, first, "+12025550003", "done", 2)
    contact(db, c, second, "+12025550004", "dnc", 0)
    db.execute("UPDATE contacts SET attempts = 3 WHERE id = %s", (done,))
    db.commit()

    rows = list_state_counts(db, _nov2(c))

    assert [(r.list_name, r.state, r.attempts, r.contacts) for r in rows] == [
        ("First", "dialable", 0, 1),
        ("First", "dialable", 1, 1),
        ("First", "done", 3, 1),
        ("Second", "dnc", 0, 1),
    ]


def test_best_time_to_call_is_the_live_answer_rate_by_local_weekday_and_hour(db: Conn) -> None:
    c = campaign(db, "Best time")
    # Monday Nov 2 2026, 15:xx UTC = 10:xx in New York.
    attempts(db, c, at("2026-11-02 15:05"), "connected", 1)
    attempts(db, c, at("2026-11-02 15:10"), "no_answer", 2)
    attempts(db, c, at("2026-11-02 15:20"), "machine", 1)
    attempts(db, c, at("2026-11-02 15:30"), "expired", 5)
    # Connected, but the agent heard a machine and said so (AMD off): a dial, not a live answer.
    attempt(db, c, at("2026-11-02 15:40"), "connected", disposition="answering_machine")
    attempt(db, c, at("2026-11-02 15:45"), "connected", disposition="sale")
    db.commit()

    (cell,) = best_time_to_call(db, _nov2(c, tz="America/New_York"))

    assert (cell.weekday, cell.hour, cell.dials, cell.live_answers) == (1, 10, 6, 2)
    assert cell.answer_rate == pytest.approx(2 / 6)


def test_inbound_service_level_speed_of_answer_and_abandonment(db: Conn) -> None:
    c = campaign(db, "Inbound")
    q = queue(db, c, "Sales")
    ten = at("2026-11-02 10:00")
    inbound(db, q, ten, "answered", 3, 100)
    inbound(db, q, ten, "answered", 19.9, 100)
    inbound(db, q, ten, "answered", 25, 100)
    inbound(db, q, ten, "abandoned", 40)
    inbound(db, q, ten, "rejected", 0)  # never reached the queue: not offered
    db.commit()

    (hour,) = inbound_per_hour(db, _nov2(c), threshold_s=20)

    assert (hour.offered, hour.answered, hour.answered_in_threshold, hour.abandoned) == (4, 3, 2, 1)
    assert hour.service_level == pytest.approx(0.5)
    assert hour.asa_s == pytest.approx((3 + 19.9 + 25) / 3)
    assert hour.abandon_rate == pytest.approx(0.25)
    assert inbound_per_hour(db, _nov2(c), threshold_s=30)[0].answered_in_threshold == 3


def test_a_service_level_threshold_the_rollup_cannot_answer_is_refused(db: Conn) -> None:
    with pytest.raises(ValidationError):
        inbound_per_hour(db, _nov2(), threshold_s=17)


def test_the_wallboard_counts_the_last_15_minutes_and_the_campaign_s_own_day(db: Conn) -> None:
    c = campaign(db, "Wall", tz="America/New_York")
    now = at("2026-11-10 15:00")  # 10:00 in New York
    attempt(db, c, at("2026-11-10 14:50"), "connected", answered_after_s=5)
    attempt(db, c, at("2026-11-10 14:55"), "no_answer")
    attempt(db, c, at("2026-11-10 14:40"), "busy")  # dialed 20 minutes ago: not recent
    attempts(db, c, at("2026-11-10 04:30"), "abandoned", 1)  # 23:30 yesterday in New York
    attempts(db, c, at("2026-10-20 12:00"), "connected", 8)
    db.commit()

    (figures,) = wallboard_figures(db, [c], now)

    assert (figures.dials_15m, figures.answers_15m) == (2, 1)
    assert (figures.live_today, figures.abandoned_today) == (1, 0)
    assert (figures.live_window, figures.abandoned_window) == (10, 1)
    assert figures.rate_window == pytest.approx(0.1)
    assert figures.window_days == 30 and figures.cap == 0.03


def test_sql_metacharacters_in_names_come_back_as_plain_text(db: Conn) -> None:
    name = "x'); DROP TABLE call_attempts; --"
    c = campaign(db, name)
    attempts(db, c, at("2026-11-02 10:00"), "connected", 1)
    db.commit()

    (figures,) = wallboard_figures(db, [c], at("2026-11-02 12:00"))

    assert figures.campaign_name == name
    assert db.execute("SELECT count(*) FROM call_attempts").fetchone() == (1,)
