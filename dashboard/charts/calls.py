"""Calls per hour, stacked by outcome: outbound above, inbound below, one shared time axis."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import datetime

import plotly.graph_objects as go
from plotly.subplots import make_subplots

from campaigns.report_rows import HourlyCalls
from dashboard.charts.style import base_figure, colour, with_empty_note

NAME = "calls_per_hour"


def calls_per_hour_figure(rows: Sequence[HourlyCalls]) -> go.Figure:
    if not rows:
        return with_empty_note(base_figure(NAME, "Calls per hour"))
    figure = make_subplots(
        rows=2,
        cols=1,
        shared_xaxes=True,
        vertical_spacing=0.08,
        subplot_titles=("Outbound attempts", "Inbound calls"),
    )
    figure.update_layout(base_figure(NAME, "Calls per hour by outcome").layout)
    figure.update_layout(barmode="stack")
    series: dict[tuple[str, str], dict[datetime, int]] = defaultdict(dict)
    for row in rows:
        series[(row.direction, row.outcome)][row.hour] = row.calls
    for (direction, outcome), points in sorted(series.items()):
        hours = sorted(points)
        figure.add_trace(
            go.Bar(
                x=hours,
                y=[points[h] for h in hours],
                name=f"{direction}: {outcome}",
                legendgroup=direction,
                marker_color=colour(outcome),
                hovertemplate="%{x|%a %d %b %H:00}<br>%{y} calls<extra>%{fullData.name}</extra>",
            ),
            row=1 if direction == "outbound" else 2,
            col=1,
        )
    figure.update_yaxes(title_text="attempts", row=1, col=1)
    figure.update_yaxes(title_text="calls", row=2, col=1)
    return figure
