"""Records of a delimited text file, streamed: any delimiter, quoted cells, the sniffed encoding."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

from campaigns.contact_import.sniffing import (
    SAMPLE_CHARS,
    complete_lines,
    detect_delimiter,
    detect_encoding,
    ends_with_line_break,
)
from campaigns.errors import UnreadableFile

# (record number, cells, cut): `cut` marks a last record the file ends in the middle of.
Record = tuple[int, list[str], bool]


class CsvRecords:
    def __init__(self, path: Path) -> None:
        self._binary = path.open("rb")
        try:
            self.size = path.stat().st_size
            self.encoding = detect_encoding(self._binary)
            self.ends_with_line_break = ends_with_line_break(self._binary, self.encoding)
            # UTF-16/32 text is full of NUL bytes; there only the decoded lines can tell.
            self._nul = self.encoding in ("utf-16", "utf-32") or _contains_nul(self._binary)
            self._text = io.TextIOWrapper(self._binary, encoding=self.encoding, newline="")
            sample = self._text.read(SAMPLE_CHARS)
            self.delimiter = detect_delimiter(complete_lines(sample, len(sample) < SAMPLE_CHARS))
            self._text.seek(0)
        except BaseException:
            self._binary.close()
            raise

    def records(self) -> Iterator[Record]:
        # strict: a file that ends inside a quoted cell raises instead of swallowing the rest
        # of the file into one cell, which is how we tell a truncated file from a long cell.
        # NUL cannot be stored in PostgreSQL text (nor as \u0000 in jsonb): it goes here.
        lines: Iterator[str] = self._text
        if self._nul:
            lines = (line.replace("\x00", "") for line in self._text)
        reader = csv.reader(lines, delimiter=self.delimiter, strict=True)
        number = 0
        try:
            for number, cells in enumerate(reader, start=1):
                yield number, cells, False
        except csv.Error as error:
            if "unexpected end of data" in str(error):
                yield number + 1, [], True
                return
            raise UnreadableFile(
                f"row {number + 1}: {error} (a stray quote character? quote cells that "
                "contain quotes, delimiters or line breaks)"
            ) from None

    def fraction_read(self) -> float:
        return min(1.0, self._binary.tell() / self.size) if self.size else 1.0

    def close(self) -> None:
        self._binary.close()


def _contains_nul(handle: BinaryIO) -> bool:
    handle.seek(0)
    found = False
    while not found and (chunk := handle.read(1 << 20)):
        found = b"\x00" in chunk
    handle.seek(0)
    return found
