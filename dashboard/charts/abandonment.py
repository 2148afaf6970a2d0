"""Abandonment per day and rolling, one line per campaign, against the cap and the target.

The rolling line's markers turn red past the campaign's target; the cap is a horizontal line.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence

import plotly.graph_objects as go

from campaigns.report_rows import DailyAbandonment
from dashboard.charts.style import ALERT, TARGET, base_figure, with_empty_note

NAME = "abandonment"
# One colour per campaign (none of them red: red marks a rolling rate past the target).
CAMPAIGN_COLOURS = ("#1565c0", "#2e7d32", "#6a1b9a", "#00838f", "#5d4037", "#37474f", "#ad1457")


def abandonment_figure(rows: Sequence[DailyAbandonment]) -> go.Figure:
    figure = base_figure(NAME, "Abandonment rate: per day and over the rule set's window")
    if not rows:
        return with_empty_note(figure)
    by_campaign: dict[int, list[DailyAbandonment]] = defaultdict(list)
    for row in rows:
        by_campaign[row.campaign_id].append(row)
    for index, campaign_rows in enumerate(by_campaign.values()):
        name = campaign_rows[0].campaign_name
        line = CAMPAIGN_COLOURS[index % len(CAMPAIGN_COLOURS)]
        days = [r.day for r in campaign_rows]
        figure.add_trace(
            go.Bar(
                x=days,
                y=[r.rate for r in campaign_rows],
                name=f"{name}: day",
                legendgroup=name,
                marker_color=line,
                opacity=0.3,
                hovertemplate="%{x}<br>%{y:.2%} of live answers<extra>%{fullData.name}</extra>",
            )
        )
        figure.add_trace(
            go.Scatter(
                x=days,
                y=[r.rolling_rate for r in campaign_rows],
                name=f"{name}: {campaign_rows[0].window_days}-day rolling",
                legendgroup=name,
                mode="lines+markers",
                line={"color": line},
                marker={
                    "size": 8,
                    "color": [
                        ALERT if r.rolling_rate is not None and r.rolling_rate > r.target else line
                        for r in campaign_rows
                    ],
                },
                hovertemplate="%{x}<br>%{y:.2%} rolling<extra>%{fullData.name}</extra>",
            )
        )
    caps = sorted({r.cap for r in rows})
    targets = sorted({r.target for r in rows})
    for cap in caps:
        figure.add_hline(
            y=cap,
            line={"color": ALERT, "width": 2},
            annotation_text=f"cap {cap:.0%}",
            annotation_position="top left",
        )
    for target in targets:
        figure.add_hline(
            y=target,
            line={"color": TARGET, "dash": "dash", "width": 1},
            annotation_text=f"target {target:.1%}",
            annotation_position="bottom left",
        )
    figure.update_yaxes(tickformat=".1%", rangemode="tozero", title_text="abandoned / live")
    figure.update_layout(barmode="group")
    return figure
