"""Outcome and disposition breakdown (stacked bars) and the dials-to-dispositions funnel."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence

from campaigns.report_rows import FunnelStage, OutcomeCount
from dashboard.charts.style import Figure, base_figure, colour, with_empty_note

FUNNEL_LABELS = {
    "dials": "Dials",
    "answered": "Answered (person or machine)",
    "connected": "Connected to an agent",
    "dispositioned": "Given a disposition",
}
FUNNEL_COLOURS = ("#90a4ae", "#5c6bc0", "#2e7d32", "#00897b")


def outcome_figure(rows: Sequence[OutcomeCount]) -> Figure:
    """One bar per outcome, split by disposition (outcomes without one are a single block)."""
    figure = base_figure("outcomes", "Outcomes and dispositions")
    if not rows:
        return with_empty_note(figure)
    totals: dict[str, int] = defaultdict(int)
    for row in rows:
        totals[row.outcome] += row.attempts
    order = sorted(totals, key=lambda outcome: -totals[outcome])
    by_disposition: dict[str, dict[str, int]] = defaultdict(dict)
    labels: dict[str, str] = {}
    for row in rows:
        by_disposition[row.disposition][row.outcome] = row.attempts
        labels[row.disposition] = row.disposition_label or "no disposition"
    for disposition, counts in sorted(by_disposition.items()):
        trace = {
            "type": "bar",
            "x": order,
            "y": [counts.get(outcome, 0) for outcome in order],
            "name": labels[disposition] if disposition else "no disposition",
            "hovertemplate": "%{x}: %{y}<extra>%{fullData.name}</extra>",
        }
        if not disposition:
            trace["marker"] = {"color": [colour(o) for o in order]}
        figure["data"].append(trace)
    figure["layout"].update(barmode="stack")
    figure["layout"]["yaxis"]["title"] = {"text": "attempts"}
    return figure


def funnel_figure(stages: Sequence[FunnelStage]) -> Figure:
    figure = base_figure("funnel", "Dials to dispositions")
    if not stages or stages[0].calls == 0:
        return with_empty_note(figure)
    figure["data"].append(
        {
            "type": "funnel",
            "y": [FUNNEL_LABELS.get(s.stage, s.stage) for s in stages],
            "x": [s.calls for s in stages],
            "textinfo": "value+percent initial",
            "marker": {"color": list(FUNNEL_COLOURS[: len(stages)])},
        }
    )
    # The stage names are long ("Answered (person or machine)"): make room for them.
    figure["layout"]["yaxis"]["automargin"] = True
    return figure
