"""Records of an XLSX sheet, streamed with openpyxl's read-only mode (flat memory; the normal mode
holds about 50 times the file size)."""

from __future__ import annotations

import zipfile
import zlib
from collections.abc import Iterator
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any

import openpyxl
from openpyxl.utils.exceptions import InvalidFileException

from campaigns.errors import UnreadableFile

Record = tuple[int, list[str], bool]

# What a damaged or cut workbook raises from inside zipfile, zlib and the XML parser.
_DAMAGED = (
    zipfile.BadZipFile,
    InvalidFileException,
    KeyError,
    EOFError,
    zlib.error,
    SyntaxError,  # xml.etree's ParseError
    ValueError,
    OSError,
)


class XlsxRecords:
    encoding = None
    delimiter = None
    ends_with_line_break = True

    def __init__(self, path: Path, sheet: str | None) -> None:
        try:
            # data_only=False: a formula cell reads as its formula text ("=A1+1"), stored as
            # text like any other cell, never evaluated.
            self._book = openpyxl.load_workbook(path, read_only=True, data_only=False)
        except _DAMAGED as error:
            raise UnreadableFile(
                f"not a readable XLSX workbook (damaged or cut?): {error}"
            ) from None
        try:
            if sheet is None:
                self._sheet = self._book.worksheets[0]
            elif sheet in self._book.sheetnames:
                self._sheet = self._book[sheet]
            else:
                names = ", ".join(self._book.sheetnames)
                raise UnreadableFile(f"the workbook has no sheet {sheet!r} (sheets: {names})")
            self.sheet: str = self._sheet.title
            # Every sheet's name, in workbook order: read from the workbook's index, no sheet
            # is parsed for it.
            self.sheets: tuple[str, ...] = tuple(self._book.sheetnames)
            # The writer's dimension is only an estimate for progress: some writers get it wrong,
            # and read-only mode would then stop early; reset_dimensions() reads every row.
            self._expected_rows = self._sheet.max_row if isinstance(self._sheet.max_row, int) else 0
            self._sheet.reset_dimensions()
        except BaseException:
            self._book.close()
            raise
        self._read = 0

    def records(self) -> Iterator[Record]:
        try:
            for number, values in enumerate(self._sheet.iter_rows(values_only=True), start=1):
                self._read = number
                yield number, [_text(value) for value in values], False
        except _DAMAGED as error:
            raise UnreadableFile(
                f"row {self._read + 1}: the workbook is damaged or cut: {error}"
            ) from None

    def fraction_read(self) -> float:
        if self._expected_rows <= 1:
            return 0.0
        return min(0.99, self._read / self._expected_rows)

    def close(self) -> None:
        self._book.close()


def _text(value: Any) -> str:
    """A cell as the text a CSV export of it would hold, so both formats import alike."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        # Phone numbers typed into Excel become floats: 2125550100.0 is the number 2125550100.
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, datetime):
        return value.isoformat(sep=" ") if value.time() != time() else value.date().isoformat()
    if isinstance(value, date | time):
        return value.isoformat()
    if isinstance(value, timedelta):
        return str(value)
    return str(value)
