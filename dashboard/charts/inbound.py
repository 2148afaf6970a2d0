"""Inbound per hour: calls offered and answered (bars), service level and abandonment (lines),
average speed of answer on its own axis."""

from __future__ import annotations

from collections.abc import Sequence

import plotly.graph_objects as go
from plotly.subplots import make_subplots

from campaigns.report_rows import InboundHour
from dashboard.charts.style import ALERT, OK, base_figure, with_empty_note

NAME = "inbound"


def inbound_figure(rows: Sequence[InboundHour], threshold_s: int) -> go.Figure:
    title = f"Inbound per hour: service level ({threshold_s} s), ASA, abandonment"
    if not rows:
        return with_empty_note(base_figure(NAME, title))
    figure = make_subplots(
        rows=2,
        cols=1,
        shared_xaxes=True,
        vertical_spacing=0.1,
        specs=[[{"secondary_y": True}], [{}]],
        subplot_titles=("Calls and rates", "Average speed of answer (s)"),
    )
    figure.update_layout(base_figure(NAME, title).layout)
    hours = [r.hour for r in rows]
    figure.add_trace(
        go.Bar(x=hours, y=[r.offered for r in rows], name="offered", marker_color="#b0bec5"),
        row=1,
        col=1,
    )
    figure.add_trace(
        go.Bar(x=hours, y=[r.answered for r in rows], name="answered", marker_color="#66bb6a"),
        row=1,
        col=1,
    )
    figure.add_trace(
        go.Scatter(
            x=hours,
            y=[r.service_level for r in rows],
            name="service level",
            mode="lines+markers",
            line={"color": OK},
        ),
        row=1,
        col=1,
        secondary_y=True,
    )
    figure.add_trace(
        go.Scatter(
            x=hours,
            y=[r.abandon_rate for r in rows],
            name="abandoned in queue",
            mode="lines+markers",
            line={"color": ALERT},
        ),
        row=1,
        col=1,
        secondary_y=True,
    )
    figure.add_trace(
        go.Scatter(
            x=hours,
            y=[r.asa_s for r in rows],
            name="ASA",
            mode="lines+markers",
            line={"color": "#6a1b9a"},
        ),
        row=2,
        col=1,
    )
    figure.update_layout(barmode="overlay")
    figure.update_yaxes(title_text="calls", row=1, col=1, secondary_y=False)
    figure.update_yaxes(tickformat=".0%", range=[0, 1], row=1, col=1, secondary_y=True)
    return figure
