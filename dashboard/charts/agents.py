"""Agent performance: where each agent's time went (stacked bars) and the figures as a table."""

from __future__ import annotations

from collections.abc import Sequence

from campaigns.report_rows import AgentPerformance
from dashboard.charts.style import Figure, base_figure, with_empty_note
from dashboard.charts.table import percent, seconds_text, table_figure

TIME_PARTS = (
    ("talk_s", "talk", "#2e7d32"),
    ("wrap_s", "wrap-up", "#66bb6a"),
    ("reserved_s", "reserved", "#aed581"),
    ("idle_s", "ready (idle)", "#90caf9"),
    ("pause_s", "paused", "#ffb74d"),
)


def agent_time_figure(rows: Sequence[AgentPerformance]) -> Figure:
    figure = base_figure("agent_time", "Agent time by state (hours)")
    if not rows:
        return with_empty_note(figure)
    names = [r.agent_name for r in rows]
    for attribute, label, colour in TIME_PARTS:
        figure["data"].append(
            {
                "type": "bar",
                "y": names,
                "x": [round(getattr(r, attribute) / 3600, 3) for r in rows],
                "name": label,
                "orientation": "h",
                "marker": {"color": colour},
                "hovertemplate": "%{y}: %{x:.1f} h<extra>%{fullData.name}</extra>",
            }
        )
    figure["layout"].update(barmode="stack", height=max(300, 28 * len(rows) + 120))
    figure["layout"]["yaxis"]["autorange"] = "reversed"
    return figure


def agent_table_figure(rows: Sequence[AgentPerformance]) -> Figure:
    header = [
        "Agent",
        "Calls",
        "Talk",
        "Wrap",
        "Idle",
        "Pause",
        "Pauses by reason",
        "Occupancy",
        "AHT",
    ]
    cells = [
        [r.agent_name for r in rows],
        [r.calls_handled for r in rows],
        [seconds_text(r.talk_s) for r in rows],
        [seconds_text(r.wrap_s) for r in rows],
        [seconds_text(r.idle_s) for r in rows],
        [seconds_text(r.pause_s) for r in rows],
        [
            ", ".join(f"{reason or 'none'} {seconds_text(s)}" for reason, s in r.pause_by_reason)
            for r in rows
        ],
        [percent(r.occupancy) for r in rows],
        [seconds_text(r.aht_s) for r in rows],
    ]
    return table_figure("agent_table", "Agent performance", header, cells)
