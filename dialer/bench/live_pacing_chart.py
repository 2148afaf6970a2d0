"""The live pacing run as a figure: dials and live answers per bucket, occupancy, lines per agent
and abandonment against the target and cap. A pure function of the result's JSON, so the
committed result can be drawn again on demand (`dialer bench live-pacing --replot`)."""

from __future__ import annotations

from typing import Any

import plotly.graph_objects as go
from plotly.subplots import make_subplots


def live_pacing_figure(result: dict[str, Any]) -> go.Figure:
    buckets = result["buckets"]
    summary = result["summary"]
    minutes = [b["start_s"] / 60 for b in buckets]
    figure = make_subplots(
        rows=3,
        cols=1,
        shared_xaxes=True,
        subplot_titles=("dials and live answers", "occupancy and lines per agent", "abandoned"),
    )
    figure.add_bar(x=minutes, y=[b["dials"] for b in buckets], name="dials", row=1, col=1)
    figure.add_bar(
        x=minutes, y=[b["live_answers"] for b in buckets], name="live answers", row=1, col=1
    )
    figure.add_scatter(
        x=minutes, y=[b["occupancy"] for b in buckets], name="occupancy", row=2, col=1
    )
    figure.add_scatter(
        x=minutes, y=[b["lines_per_agent"] for b in buckets], name="lines per agent", row=2, col=1
    )
    rates = [b["abandoned"] / b["live_answers"] if b["live_answers"] else None for b in buckets]
    figure.add_scatter(x=minutes, y=rates, name="abandoned / live, per bucket", row=3, col=1)
    for level, label in ((summary["abandon_target"], "target"), (summary["abandon_cap"], "cap")):
        figure.add_hline(y=level, line_dash="dot", annotation_text=label, row=3, col=1)
    if summary["steady_from_s"] is not None:
        figure.add_vline(x=summary["steady_from_s"] / 60, line_dash="dash")
    figure.update_xaxes(title_text="minutes since the campaign started", row=3, col=1)
    figure.update_layout(
        title=f"Live pacing: {result['agents']} robot agents, answer rate {result['answer_rate']}"
    )
    return figure
