"""Rolling abandonment, the funnel, agent figures and list penetration, from rows to numbers."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from campaigns.report_figures import (
    agent_performance,
    funnel,
    list_penetration,
    rolling_abandonment,
)
from campaigns.report_metrics import ratio, valid_service_level_threshold
from campaigns.report_rows import (
    AgentPause,
    AgentTotals,
    DailyLiveAnswers,
    ListStateCount,
    OutcomeCount,
)

DAY = date(2026, 11, 30)


def test_a_rate_without_a_denominator_is_none_not_zero() -> None:
    assert ratio(0, 0) is None
    assert ratio(0, 5) == 0.0


def test_the_rolling_window_is_thirty_days_for_us_and_one_for_uk() -> None:
    daily = [
        DailyLiveAnswers(1, DAY - timedelta(days=29), 10, 1),
        DailyLiveAnswers(1, DAY - timedelta(days=30), 10, 5),  # outside the window
        DailyLiveAnswers(1, DAY, 10, 0),
        DailyLiveAnswers(2, DAY - timedelta(days=1), 10, 3),
        DailyLiveAnswers(2, DAY, 20, 1),
    ]
    us, uk = rolling_abandonment(
        daily, [DAY], {1: ("US one", "US", 0.025), 2: ("UK one", "UK", 0.02)}
    )

    assert (us.rolling_live_answers, us.rolling_abandoned, us.window_days) == (20, 1, 30)
    assert us.rolling_rate == pytest.approx(0.05) and us.rate == 0.0
    assert (uk.rolling_live_answers, uk.rolling_abandoned, uk.window_days) == (20, 1, 1)
    assert uk.target == 0.02 and uk.cap == 0.03


def test_the_funnel_counts_dials_answers_connections_and_dispositions() -> None:
    rows = [
        OutcomeCount("expired", "", "", 5),
        OutcomeCount("no_answer", "", "", 10),
        OutcomeCount("machine", "", "", 4),
        OutcomeCount("connected", "", "", 1),
        OutcomeCount("connected", "sale", "Sale", 3),
    ]

    assert [(s.stage, s.calls) for s in funnel(rows)] == [
        ("dials", 18),
        ("answered", 8),
        ("connected", 4),
        ("dispositioned", 3),
    ]


def test_occupancy_and_aht_follow_the_written_definitions() -> None:
    totals = [
        AgentTotals(7, "Ann", 4, talk_s=600, wrap_s=120, reserved_s=8, ready_s=272, paused_s=900)
    ]
    pauses = [AgentPause(7, "break", 300), AgentPause(7, "lunch", 600)]

    (row,) = agent_performance(totals, pauses)

    assert row.occupancy == pytest.approx(728 / 1000)
    assert row.aht_s == pytest.approx(180)
    assert row.pause_by_reason == (("lunch", 600), ("break", 300))


def test_an_agent_without_calls_has_no_aht() -> None:
    (row,) = agent_performance([AgentTotals(1, "Bo", 0, 0, 0, 0, 0, 60)], [])

    assert row.aht_s is None and row.occupancy is None


def test_list_penetration_is_the_share_of_contacts_tried_at_least_once() -> None:
    counts = [
        ListStateCount(1, "A", 9, "dialable", 0, 6),
        ListStateCount(1, "A", 9, "dialable", 1, 2),
        ListStateCount(1, "A", 9, "done", 2, 2),
    ]

    (lst,) = list_penetration(counts)

    assert (lst.contacts, lst.attempted) == (10, 4)
    assert lst.penetration == pytest.approx(0.4)
    assert lst.average_attempts == pytest.approx(0.6)
    assert dict(lst.by_state) == {
        "dialable": 8,
        "in_flight": 0,
        "callback": 0,
        "done": 2,
        "exhausted": 0,
        "dnc": 0,
    }


@pytest.mark.parametrize(
    ("seconds", "valid"), [(20, True), (300, True), (17, False), (0, False), (305, False)]
)
def test_service_level_thresholds_are_multiples_of_five_up_to_300(
    seconds: int, valid: bool
) -> None:
    assert valid_service_level_threshold(seconds) is valid
