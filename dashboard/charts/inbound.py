"""Inbound per hour: calls offered and answered (bars), service level and abandonment (lines on a
percentage axis), and the average speed of answer in a panel below."""

from __future__ import annotations

from collections.abc import Sequence

from campaigns.report_rows import InboundHour
from dashboard.charts.style import ALERT, OK, Figure, base_figure, title_note, with_empty_note

NAME = "inbound"


def inbound_figure(rows: Sequence[InboundHour], threshold_s: int) -> Figure:
    figure = base_figure(
        NAME, f"Inbound per hour: service level ({threshold_s} s), ASA, abandonment"
    )
    if not rows:
        return with_empty_note(figure)
    hours = [r.hour.isoformat() for r in rows]
    figure["data"] = [
        {
            "type": "bar",
            "x": hours,
            "y": [r.offered for r in rows],
            "name": "offered",
            "marker": {"color": "#b0bec5"},
        },
        {
            "type": "bar",
            "x": hours,
            "y": [r.answered for r in rows],
            "name": "answered",
            "marker": {"color": "#66bb6a"},
        },
        {
            "type": "scatter",
            "x": hours,
            "y": [r.service_level for r in rows],
            "name": "service level",
            "mode": "lines+markers",
            "line": {"color": OK},
            "yaxis": "y2",
        },
        {
            "type": "scatter",
            "x": hours,
            "y": [r.abandon_rate for r in rows],
            "name": "abandoned in queue",
            "mode": "lines+markers",
            "line": {"color": ALERT},
            "yaxis": "y2",
        },
        {
            "type": "scatter",
            "x": hours,
            "y": [r.asa_s for r in rows],
            "name": "ASA",
            "mode": "lines+markers",
            "line": {"color": "#6a1b9a"},
            "yaxis": "y3",
        },
    ]
    figure["layout"].update(
        barmode="overlay",
        height=650,
        xaxis={"anchor": "y3", "gridcolor": "#eceff1"},
        yaxis={"domain": [0.42, 0.93], "title": {"text": "calls"}, "gridcolor": "#eceff1"},
        yaxis2={"overlaying": "y", "side": "right", "tickformat": ".0%", "range": [0, 1]},
        yaxis3={"domain": [0, 0.3], "title": {"text": "ASA (s)"}, "gridcolor": "#eceff1"},
        annotations=[
            title_note("Calls and rates", 0.93),
            title_note("Average speed of answer (s)", 0.3),
        ],
    )
    return figure
