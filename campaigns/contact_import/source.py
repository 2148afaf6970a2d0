"""A list file as a table: named columns and numbered rows, streamed whatever the format.

Row numbers are the ones a person sees in a spreadsheet: the header is row 1, blank rows keep
their numbers (they are skipped, not renumbered).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from itertools import chain
from pathlib import Path
from typing import Protocol

from campaigns.contact_import.csv_source import CsvRecords
from campaigns.contact_import.sniffing import FileFormat, detect_format
from campaigns.contact_import.xlsx_source import XlsxRecords
from campaigns.errors import UnreadableFile

# A header row holds names; a cell with seven digits or more is a phone number, so data.
_PHONE_LIKE = re.compile(r"(?:\d\D{0,3}){7}")


@dataclass(frozen=True)
class FileShape:
    """What sniffing found, kept with the import so a person can see how the file was read."""

    format: FileFormat
    encoding: str | None
    delimiter: str | None
    sheet: str | None
    # XLSX: every sheet of the workbook (the one read is `sheet`); CSV: none.
    sheets: tuple[str, ...] = ()


class _Records(Protocol):
    ends_with_line_break: bool

    def records(self) -> Iterator[tuple[int, list[str], bool]]: ...

    def fraction_read(self) -> float: ...

    def close(self) -> None: ...


class Table:
    """Headers, then data rows as (row number, cells); cells are raw text, stripped later."""

    def __init__(self, records: _Records, shape: FileShape, has_header: bool | None) -> None:
        self.shape = shape
        self._records = records
        self._source = records.records()
        # The last data row when the file ends in the middle of it; set before that row is
        # yielded, so whoever batches rows knows it by the time the last batch goes out.
        self.truncated_row: int | None = None
        first = next((r for r in self._source if any(r[1])), None)
        if first is None:
            self.headers: tuple[str, ...] = ()
            self.has_header = bool(has_header)
            self._pending: tuple[int, list[str], bool] | None = None
            return
        if has_header is None:
            has_header = not any(_PHONE_LIKE.search(cell) for cell in first[1])
        self.has_header = has_header
        if first[2]:
            raise UnreadableFile("the file ends inside its first row (cut short?)")
        if has_header:
            self.headers = unique_headers(first[1])
            self._pending = None
        else:
            self.headers = tuple(f"column_{i}" for i in range(1, len(first[1]) + 1))
            self._pending = first

    def rows(self) -> Iterator[tuple[int, list[str]]]:
        return chain.from_iterable(self.batches(256))

    def batches(self, size: int) -> Iterator[list[tuple[int, list[str]]]]:
        """Data rows in lists of `size`, blank rows left out. One loop does it all, the reading
        process's whole per-row work: each record is held back one step, so the last one is
        known (and `truncated_row` set) before the batch holding it leaves."""
        batch: list[tuple[int, list[str]]] = []
        previous = self._pending
        for record in self._source:
            if previous is not None and (any(previous[1]) or previous[2]):
                batch.append((previous[0], previous[1]))
                if len(batch) >= size:
                    yield batch
                    batch = []
            previous = record
        if previous is not None:
            number, cells, cut = previous
            short = not self._records.ends_with_line_break and len(cells) < len(self.headers)
            if cut or short:
                self.truncated_row = number
            if any(cells) or cut:
                batch.append((number, cells))
        if batch:
            yield batch

    def fraction_read(self) -> float:
        return self._records.fraction_read()


def unique_headers(cells: list[str]) -> tuple[str, ...]:
    """Column names as custom-field keys: trimmed, never empty, never twice the same."""
    names: list[str] = []
    seen: set[str] = set()
    for index, cell in enumerate(cells, start=1):
        name = cell.replace("\ufeff", "").strip() or f"column_{index}"
        candidate, copy = name, 2
        while candidate.casefold() in seen:
            candidate, copy = f"{name} ({copy})", copy + 1
        seen.add(candidate.casefold())
        names.append(candidate)
    return tuple(names)


@contextmanager
def open_table(
    path: Path, has_header: bool | None = None, sheet: str | None = None
) -> Iterator[Table]:
    """The file as a Table; UnreadableFile when it is empty, damaged or not CSV/XLSX."""
    file_format = detect_format(path)
    records: CsvRecords | XlsxRecords
    if file_format is FileFormat.XLSX:
        records = XlsxRecords(path, sheet)
        shape = FileShape(file_format, None, None, records.sheet, records.sheets)
    else:
        records = CsvRecords(path)
        shape = FileShape(file_format, records.encoding, records.delimiter, None)
    try:
        yield Table(records, shape, has_header)
    finally:
        records.close()
