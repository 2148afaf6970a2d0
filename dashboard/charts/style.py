"""What every report figure shares: the figure type, the look, the uirevision, the empty state.

Figures are plotly figure specs as plain dicts ({"data": [...], "layout": {...}}), the JSON
plotly.js draws. Building them through plotly.graph_objects validated every property on every
request and took most of a page's time (half a second for a month of hourly bars); the tests
validate the same dicts with graph_objects instead, so a misspelt property still fails there.
Values are JSON-ready (times as ISO strings), so `json.dumps` serialises them.
"""

from __future__ import annotations

from typing import Any

Figure = dict[str, Any]

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


def base_figure(name: str, title: str) -> Figure:
    """A figure whose uirevision is fixed per report, so refreshes keep the user's view."""
    return {
        "data": [],
        "layout": {
            "title": {"text": title, "x": 0.01},
            "uirevision": f"report:{name}",
            "template": {"layout": {"paper_bgcolor": "white", "plot_bgcolor": "white"}},
            "margin": {"l": 60, "r": 20, "t": 50, "b": 50},
            "legend": {"orientation": "h", "y": -0.2},
            "hovermode": "closest",
            "xaxis": {"gridcolor": "#eceff1"},
            "yaxis": {"gridcolor": "#eceff1"},
        },
    }


def with_empty_note(figure: Figure) -> Figure:
    figure["layout"].setdefault("annotations", []).append(
        {
            "text": "No data for this filter",
            "showarrow": False,
            "xref": "paper",
            "yref": "paper",
            "x": 0.5,
            "y": 0.5,
            "font": {"size": 16, "color": "#607d8b"},
        }
    )
    return figure


def title_note(text: str, y: float) -> dict[str, Any]:
    """A subplot title: a bold note above a panel (panels are y-axis domains)."""
    return {
        "text": f"<b>{text}</b>",
        "showarrow": False,
        "xref": "paper",
        "yref": "paper",
        "x": 0.5,
        "y": y,
        "xanchor": "center",
        "yanchor": "bottom",
    }


def horizontal_line(
    y: float, colour: str, label: str, dash: str = "solid", at: str = "start"
) -> dict[str, Any]:
    return {
        "type": "line",
        "xref": "paper",
        "x0": 0,
        "x1": 1,
        "yref": "y",
        "y0": y,
        "y1": y,
        "line": {"color": colour, "width": 2 if dash == "solid" else 1, "dash": dash},
        "label": {"text": label, "textposition": at, "font": {"color": colour}},
    }


def colour(outcome: str) -> str:
    return OUTCOME_COLOURS.get(outcome, "#78909c")
