"""The rejected rows of an import as a CSV a person opens in a spreadsheet: safely.

A cell that starts with = + - @ (or a tab or carriage return) is a formula to Excel and
LibreOffice; a list can carry "=HYPERLINK(...)" into a supervisor's spreadsheet. Such cells are
written with a leading apostrophe, which spreadsheets show as text (OWASP's CSV injection advice).
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Sequence
from typing import Any, TextIO

_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: str) -> str:
    return "'" + value if value.startswith(_FORMULA_STARTS) else value


def write_rejects_csv(
    out: TextIO,
    headers: Sequence[str],
    rejects: Iterable[tuple[int, str, dict[str, Any]]],
) -> int:
    """Columns: row, reason, then the file's own columns (and any extra ones rows had)."""
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([safe_cell(h) for h in ("row", "reason", *headers)])
    known = set(headers)
    count = 0
    for row_number, reason, raw in rejects:
        extra = [key for key in raw if key not in known]
        cells = [str(raw.get(h, "")) for h in headers] + [f"{k}={raw[k]}" for k in extra]
        writer.writerow([str(row_number), safe_cell(reason), *(safe_cell(c) for c in cells)])
        count += 1
    return count
