"""plotly tables and the text formats report tables share."""

from __future__ import annotations

from collections.abc import Sequence

from dashboard.charts.style import Figure, base_figure, with_empty_note


def seconds_text(seconds: float | None) -> str:
    """1 h 02 m, 4 m 05 s, 12 s; "-" when there is no value."""
    if seconds is None:
        return "-"
    whole = round(seconds)
    hours, rest = divmod(whole, 3600)
    minutes, secs = divmod(rest, 60)
    if hours:
        return f"{hours} h {minutes:02d} m"
    if minutes:
        return f"{minutes} m {secs:02d} s"
    return f"{secs} s"


def percent(value: float | None, digits: int = 1) -> str:
    return "-" if value is None else f"{value * 100:.{digits}f} %"


def table_figure(
    name: str, title: str, header: Sequence[str], columns: Sequence[Sequence[object]]
) -> Figure:
    figure = base_figure(name, title)
    if not columns or not columns[0]:
        return with_empty_note(figure)
    figure["data"].append(
        {
            "type": "table",
            "header": {"values": list(header), "fill": {"color": "#eceff1"}, "align": "left"},
            "cells": {"values": [list(c) for c in columns], "align": "left"},
        }
    )
    figure["layout"]["height"] = min(900, 60 + 28 * (len(columns[0]) + 2))
    return figure
