"""List penetration: contacts by state per list, and how far into each list dialing has got."""

from __future__ import annotations

from collections.abc import Sequence

from campaigns.report_rows import ListPenetration
from dashboard.charts.style import Figure, base_figure, with_empty_note

STATE_COLOURS = {
    "dialable": "#90caf9",
    "in_flight": "#5c6bc0",
    "callback": "#26a69a",
    "done": "#2e7d32",
    "exhausted": "#8d6e63",
    "dnc": "#c62828",
}


def list_penetration_figure(rows: Sequence[ListPenetration]) -> Figure:
    figure = base_figure("list_penetration", "Contacts per list by state")
    if not rows:
        return with_empty_note(figure)
    names = [f"{r.list_name} (#{r.list_id})" for r in rows]
    states = [state for state, _ in rows[0].by_state]
    for index, state in enumerate(states):
        figure["data"].append(
            {
                "type": "bar",
                "y": names,
                "x": [r.by_state[index][1] for r in rows],
                "name": state,
                "orientation": "h",
                "marker": {"color": STATE_COLOURS.get(state, "#78909c")},
                "hovertemplate": "%{y}: %{x} contacts<extra>%{fullData.name}</extra>",
            }
        )
    figure["layout"].update(barmode="stack", height=max(300, 30 * len(rows) + 120))
    figure["layout"]["yaxis"]["autorange"] = "reversed"
    return figure
