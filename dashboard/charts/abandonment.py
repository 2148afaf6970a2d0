"""Abandonment per day and rolling, one line per campaign, against the cap and the target.

The rolling line's markers turn red past the campaign's target; the cap is a horizontal line.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence

from campaigns.report_rows import DailyAbandonment
from dashboard.charts.style import (
    ALERT,
    TARGET,
    Figure,
    base_figure,
    horizontal_line,
    with_empty_note,
)

NAME = "abandonment"
# One colour per campaign (none of them red: red marks a rolling rate past the target).
CAMPAIGN_COLOURS = ("#1565c0", "#2e7d32", "#6a1b9a", "#00838f", "#5d4037", "#37474f", "#ad1457")


def abandonment_figure(rows: Sequence[DailyAbandonment]) -> Figure:
    figure = base_figure(NAME, "Abandonment rate: per day and over the rule set's window")
    if not rows:
        return with_empty_note(figure)
    by_campaign: dict[int, list[DailyAbandonment]] = defaultdict(list)
    for row in rows:
        by_campaign[row.campaign_id].append(row)
    for index, campaign_rows in enumerate(by_campaign.values()):
        name = campaign_rows[0].campaign_name
        line = CAMPAIGN_COLOURS[index % len(CAMPAIGN_COLOURS)]
        days = [r.day.isoformat() for r in campaign_rows]
        figure["data"].append(
            {
                "type": "bar",
                "x": days,
                "y": [r.rate for r in campaign_rows],
                "name": f"{name}: day",
                "legendgroup": name,
                "marker": {"color": line},
                "opacity": 0.3,
                "hovertemplate": "%{x}<br>%{y:.2%} of live answers<extra>%{fullData.name}</extra>",
            }
        )
        figure["data"].append(
            {
                "type": "scatter",
                "x": days,
                "y": [r.rolling_rate for r in campaign_rows],
                "name": f"{name}: {campaign_rows[0].window_days}-day rolling",
                "legendgroup": name,
                "mode": "lines+markers",
                "line": {"color": line},
                "marker": {
                    "size": 8,
                    "color": [
                        ALERT if r.rolling_rate is not None and r.rolling_rate > r.target else line
                        for r in campaign_rows
                    ],
                },
                "hovertemplate": "%{x}<br>%{y:.2%} rolling<extra>%{fullData.name}</extra>",
            }
        )
    shapes = [
        horizontal_line(cap, ALERT, f"cap {cap:.0%}") for cap in sorted({r.cap for r in rows})
    ]
    shapes += [
        horizontal_line(target, TARGET, f"target {target:.1%}", dash="dash", at="end")
        for target in sorted({r.target for r in rows})
    ]
    figure["layout"].update(
        shapes=shapes,
        barmode="group",
        # Days as categories: one slot per day, labelled by its date, never a midday tick.
        xaxis={"type": "category", "gridcolor": "#eceff1"},
        yaxis={
            "tickformat": ".1%",
            "rangemode": "tozero",
            "title": {"text": "abandoned / live"},
            "gridcolor": "#eceff1",
        },
    )
    return figure
