"""Printing results: JSON for tools (`--json`), aligned text for people."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from datetime import date, datetime, time
from decimal import Decimal
from enum import Enum
from pathlib import Path
from typing import Any

import click


def _default(value: object) -> Any:
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, Path):
        return str(value)
    if isinstance(value, set | frozenset | tuple):
        return list(value)
    raise TypeError(f"cannot serialise {type(value).__name__}")


def emit_json(data: object) -> None:
    click.echo(json.dumps(data, default=_default, sort_keys=False))


def emit_table(rows: Sequence[Mapping[str, object]], columns: Sequence[str]) -> None:
    if not rows:
        click.echo("(none)")
        return
    texts = [[_text(row.get(column)) for column in columns] for row in rows]
    widths = [max(len(column), *(len(t[i]) for t in texts)) for i, column in enumerate(columns)]
    click.echo(
        "  ".join(column.ljust(width) for column, width in zip(columns, widths, strict=True))
    )
    for text in texts:
        click.echo("  ".join(cell.ljust(width) for cell, width in zip(text, widths, strict=True)))


def emit_fields(data: Mapping[str, object]) -> None:
    width = max(len(key) for key in data)
    for key, value in data.items():
        click.echo(f"{key.ljust(width)}  {_text(value)}")


def _text(value: object) -> str:
    if value is None:
        return "-"
    if isinstance(value, Enum):
        return str(value.value)
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M:%S%z")
    if isinstance(value, Mapping | list | tuple):
        return json.dumps(value, default=_default)
    return str(value)
