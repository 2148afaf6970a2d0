"""Calls per hour, stacked by outcome: outbound above, inbound below, one shared time axis."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import datetime

from campaigns.report_rows import HourlyCalls
from dashboard.charts.style import Figure, base_figure, colour, title_note, with_empty_note

NAME = "calls_per_hour"


def calls_per_hour_figure(rows: Sequence[HourlyCalls]) -> Figure:
    figure = base_figure(NAME, "Calls per hour by outcome")
    if not rows:
        return with_empty_note(figure)
    series: dict[tuple[str, str], dict[datetime, int]] = defaultdict(dict)
    for row in rows:
        series[(row.direction, row.outcome)][row.hour] = row.calls
    for (direction, outcome), points in sorted(series.items()):
        hours = sorted(points)
        figure["data"].append(
            {
                "type": "bar",
                "x": [h.isoformat() for h in hours],
                "y": [points[h] for h in hours],
                "name": f"{direction}: {outcome}",
                "legendgroup": direction,
                "marker": {"color": colour(outcome)},
                "yaxis": "y" if direction == "outbound" else "y2",
                "hovertemplate": "%{x|%a %d %b %H:00}<br>%{y} calls<extra>%{fullData.name}</extra>",
            }
        )
    figure["layout"].update(
        barmode="stack",
        height=600,
        xaxis={"anchor": "y2", "gridcolor": "#eceff1"},
        yaxis={"domain": [0.5, 0.93], "title": {"text": "attempts"}, "gridcolor": "#eceff1"},
        yaxis2={"domain": [0, 0.4], "title": {"text": "calls"}, "gridcolor": "#eceff1"},
        annotations=[title_note("Outbound attempts", 0.93), title_note("Inbound calls", 0.4)],
    )
    return figure
