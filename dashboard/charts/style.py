"""What every report figure shares: the look, the uirevision, and the empty state."""

from __future__ import annotations

import plotly.graph_objects as go

# Outcome colours stay the same in every chart: a person reached is green, a person lost red.
OUTCOME_COLOURS = {
    "connected": "#2e7d32",
    "answered": "#66bb6a",
    "abandoned": "#c62828",
    "machine": "#8d6e63",
    "busy": "#f9a825",
    "no_answer": "#90a4ae",
    "rejected": "#6a1b9a",
    "invalid_number": "#4e342e",
    "failed": "#e64a19",
    "worker_lost": "#000000",
    "expired": "#cfd8dc",
    "cancelled": "#b0bec5",
    "voicemail": "#5c6bc0",
    "callback": "#26a69a",
}
ALERT = "#c62828"
OK = "#1565c0"
TARGET = "#ef6c00"


def base_figure(name: str, title: str) -> go.Figure:
    """A figure whose uirevision is fixed per report, so refreshes keep the user's view."""
    figure = go.Figure()
    figure.update_layout(
        title={"text": title, "x": 0.01},
        uirevision=f"report:{name}",
        template="plotly_white",
        margin={"l": 60, "r": 20, "t": 50, "b": 50},
        legend={"orientation": "h", "y": -0.2},
        hovermode="closest",
    )
    return figure


def with_empty_note(figure: go.Figure) -> go.Figure:
    figure.add_annotation(
        text="No data for this filter",
        showarrow=False,
        xref="paper",
        yref="paper",
        x=0.5,
        y=0.5,
        font={"size": 16, "color": "#607d8b"},
    )
    return figure


def colour(outcome: str) -> str:
    return OUTCOME_COLOURS.get(outcome, "#78909c")
