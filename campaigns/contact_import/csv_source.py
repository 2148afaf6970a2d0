"""Records of a delimited text file, streamed: any delimiter, quoted cells, the sniffed encoding."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from pathlib import Path

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
        lines = (line.replace("\x00", "") if "\x00" in line else line for line in self._text)
        reader = csv.reader(lines, delimiter=self.delimiter, strict=True)
        number = 0
        while True:
            try:
                cells = next(reader)
            except StopIteration:
                return
            except csv.Error as error:
                if "unexpected end of data" in str(error):
                    yield number + 1, [], True
                    return
                raise UnreadableFile(
                    f"row {number + 1}: {error} (a stray quote character? quote cells that "
                    "contain quotes, delimiters or line breaks)"
                ) from None
            number += 1
            yield number, cells, False

    def fraction_read(self) -> float:
        return min(1.0, self._binary.tell() / self.size) if self.size else 1.0

    def close(self) -> None:
        self._binary.close()
