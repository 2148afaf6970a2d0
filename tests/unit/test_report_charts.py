"""Report charts are pure: rows in, plotly figures out, with a fixed uirevision."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import date, datetime
from typing import Any

import plotly.graph_objects as go

from campaigns.report_rows import (
    AgentPerformance,
    DailyAbandonment,
    FunnelStage,
    HourlyCalls,
    HourWeekdayRate,
    InboundHour,
    ListPenetration,
    OutcomeCount,
)
from dashboard.charts.abandonment import abandonment_figure
from dashboard.charts.agents import agent_table_figure, agent_time_figure
from dashboard.charts.best_time import best_time_figure
from dashboard.charts.calls import calls_per_hour_figure
from dashboard.charts.inbound import inbound_figure
from dashboard.charts.lists import list_penetration_figure
from dashboard.charts.outcomes import funnel_figure, outcome_figure
from dashboard.charts.style import Figure
from dashboard.charts.table import percent, seconds_text

HOUR = datetime(2026, 11, 2, 9)


def _fig(chart: Callable[..., Figure], *args: Any) -> go.Figure:
    """The chart's dict, checked by plotly's own validators (a wrong property fails here)."""
    figure = chart(*args)
    json.dumps(figure)  # and serialisable as it is
    return go.Figure(figure)


def _day(rate: float | None, rolling: float | None, day: int = 2) -> DailyAbandonment:
    return DailyAbandonment(
        1, "Spring", date(2026, 11, day), 100, 2, rate, 30, 1000, 20, rolling, 0.03, 0.025
    )


def test_every_chart_keeps_its_uirevision_between_refreshes() -> None:
    first = _fig(calls_per_hour_figure, [HourlyCalls(HOUR, "outbound", "busy", 3)])
    second = _fig(calls_per_hour_figure, [HourlyCalls(HOUR, "outbound", "busy", 9)])

    assert first.layout.uirevision == second.layout.uirevision == "report:calls_per_hour"


def test_calls_per_hour_stack_outcomes_with_inbound_in_its_own_panel() -> None:
    figure = _fig(
        calls_per_hour_figure,
        [
            HourlyCalls(HOUR, "outbound", "connected", 5),
            HourlyCalls(HOUR, "outbound", "busy", 2),
            HourlyCalls(HOUR, "inbound", "answered", 4),
        ],
    )

    assert figure.layout.barmode == "stack"
    assert {t.name: t.yaxis for t in figure.data} == {
        "inbound: answered": "y2",
        "outbound: busy": "y",
        "outbound: connected": "y",
    }
    assert [a.text for a in figure.layout.annotations] == [
        "<b>Outbound attempts</b>",
        "<b>Inbound calls</b>",
    ]


def test_the_abandonment_chart_draws_the_cap_and_turns_red_past_the_target() -> None:
    figure = _fig(abandonment_figure, [_day(0.02, 0.02), _day(0.05, 0.031, day=3)])

    rolling = next(t for t in figure.data if isinstance(t, go.Scatter))
    assert list(rolling.marker.color) == [rolling.line.color, "#c62828"]
    lines = {shape.y0 for shape in figure.layout.shapes}
    assert lines == {0.03, 0.025}


def test_an_empty_report_says_so_instead_of_drawing_axes_alone() -> None:
    for figure in (
        _fig(calls_per_hour_figure, []),
        _fig(abandonment_figure, []),
        _fig(outcome_figure, []),
        _fig(funnel_figure, []),
        _fig(agent_time_figure, []),
        _fig(agent_table_figure, []),
        _fig(list_penetration_figure, []),
        _fig(best_time_figure, []),
        _fig(inbound_figure, [], 20),
    ):
        assert not figure.data
        assert figure.layout.annotations[0].text == "No data for this filter"
        assert figure.layout.uirevision.startswith("report:")


def test_the_funnel_and_outcome_bars() -> None:
    funnel = _fig(funnel_figure, [FunnelStage("dials", 10, 1.0), FunnelStage("answered", 4, 0.4)])
    outcomes = _fig(
        outcome_figure,
        [OutcomeCount("connected", "sale", "Sale", 3), OutcomeCount("busy", "", "", 5)],
    )

    assert isinstance(funnel.data[0], go.Funnel) and list(funnel.data[0].x) == [10, 4]
    assert outcomes.layout.barmode == "stack"
    assert {t.name for t in outcomes.data} == {"Sale", "no disposition"}
    assert list(outcomes.data[0].x) == ["busy", "connected"]  # biggest outcome first


def test_agent_charts_show_time_per_state_and_a_table() -> None:
    row = AgentPerformance(1, "Ann", 4, 600, 120, 8, 272, 900, (("lunch", 600.0),), 0.728, 180)

    bars = _fig(agent_time_figure, [row])
    table = _fig(agent_table_figure, [row])

    assert [t.name for t in bars.data] == ["talk", "wrap-up", "reserved", "ready (idle)", "paused"]
    cells = table.data[0].cells.values
    assert [list(c) for c in (cells[0], cells[7], cells[8])] == [["Ann"], ["72.8 %"], ["3 m 00 s"]]


def test_the_heatmap_puts_weekdays_on_rows_and_local_hours_on_columns() -> None:
    figure = _fig(
        best_time_figure, [HourWeekdayRate(1, 9, 10, 2, 0.2), HourWeekdayRate(7, 11, 5, 5, 1.0)]
    )

    heatmap = figure.data[0]
    assert list(heatmap.x) == ["09:00", "10:00", "11:00"]
    assert heatmap.z[0][0] == 0.2 and heatmap.z[6][2] == 1.0 and heatmap.z[0][1] is None


def test_inbound_and_lists_charts() -> None:
    inbound = _fig(inbound_figure, [InboundHour(HOUR, 10, 8, 6, 2, 0.6, 12.5, 0.2)], 20)
    lists = _fig(
        list_penetration_figure,
        [ListPenetration(1, "A", 1, 10, 4, 0.4, (("dialable", 8), ("done", 2)), 0.6)],
    )

    assert {t.name for t in inbound.data} >= {"offered", "service level", "ASA"}
    assert "20 s" in inbound.layout.title.text
    assert [t.name for t in lists.data] == ["dialable", "done"]


def test_durations_and_percentages_read_as_people_write_them() -> None:
    assert seconds_text(3725) == "1 h 02 m"
    assert seconds_text(245) == "4 m 05 s"
    assert seconds_text(12.4) == "12 s"
    assert seconds_text(None) == "-" and percent(None) == "-"
    assert percent(0.0234) == "2.3 %"
