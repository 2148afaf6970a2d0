"""Best time to call: live-answer rate by weekday and hour of day, as a heatmap."""

from __future__ import annotations

from collections.abc import Sequence

from campaigns.report_rows import HourWeekdayRate
from dashboard.charts.style import Figure, base_figure, with_empty_note

WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


def best_time_figure(rows: Sequence[HourWeekdayRate]) -> Figure:
    figure = base_figure("best_time", "Live-answer rate by weekday and hour (local time)")
    if not rows:
        return with_empty_note(figure)
    hours = list(range(min(r.hour for r in rows), max(r.hour for r in rows) + 1))
    rate: list[list[float | None]] = [[None] * len(hours) for _ in WEEKDAYS]
    dials: list[list[int]] = [[0] * len(hours) for _ in WEEKDAYS]
    for row in rows:
        rate[row.weekday - 1][row.hour - hours[0]] = row.answer_rate
        dials[row.weekday - 1][row.hour - hours[0]] = row.dials
    figure["data"].append(
        {
            "type": "heatmap",
            "z": rate,
            "x": [f"{h:02d}:00" for h in hours],
            "y": list(WEEKDAYS),
            "customdata": dials,
            "colorscale": "Greens",
            "zmin": 0,
            "colorbar": {"title": {"text": "answer rate"}, "tickformat": ".0%"},
            "hovertemplate": "%{y} %{x}: %{z:.1%} of %{customdata} dials<extra></extra>",
            "hoverongaps": False,
        }
    )
    figure["layout"]["yaxis"]["autorange"] = "reversed"
    return figure
