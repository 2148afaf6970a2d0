"""What a list file is: its format, its text encoding and its delimiter, found from its bytes.

Nothing here trusts the file name: call-centre lists arrive as `.csv` files that are really
semicolon-separated cp1252 exports, or as `.txt` spreadsheets.
"""

from __future__ import annotations

import codecs
import csv
import io
from enum import StrEnum
from pathlib import Path
from typing import BinaryIO

from campaigns.errors import UnreadableFile


class FileFormat(StrEnum):
    CSV = "csv"
    XLSX = "xlsx"


_ZIP_MAGIC = b"PK\x03\x04"
_OLE_MAGIC = b"\xd0\xcf\x11\xe0"  # legacy .xls (and .doc): a format we do not read
_BOMS = (
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF32_LE, "utf-32"),  # before UTF-16 LE, whose BOM is its prefix
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
# Bytes cp1252 leaves undefined: a file holding one is Latin-1 (ISO 8859-1) instead.
_CP1252_HOLES = (b"\x81", b"\x8d", b"\x8f", b"\x90", b"\x9d")
_SCAN_CHUNK = 1 << 20
DELIMITERS = (",", ";", "\t", "|")
SAMPLE_CHARS = 64 * 1024


def detect_format(path: Path) -> FileFormat:
    with path.open("rb") as handle:
        head = handle.read(8)
    if not head:
        raise UnreadableFile("the file is empty (0 bytes)")
    if head.startswith(_ZIP_MAGIC):
        return FileFormat.XLSX
    if head.startswith(_OLE_MAGIC):
        raise UnreadableFile("legacy .xls files are not supported: save the sheet as .xlsx or CSV")
    return FileFormat.CSV


def detect_encoding(handle: BinaryIO) -> str:
    """The encoding of a text file: its BOM's, else UTF-8 when every byte decodes as UTF-8, else
    cp1252 (Excel's "CSV" on Windows), else Latin-1. The whole file is scanned (about 1 GB/s), so
    a stray byte on row 900,000 cannot switch encodings half way through an import."""
    handle.seek(0)
    head = handle.read(4)
    for bom, name in _BOMS:
        if head.startswith(bom):
            handle.seek(0)
            return name
    handle.seek(0)
    decoder = codecs.getincrementaldecoder("utf-8")()
    utf8, holes = True, False
    while chunk := handle.read(_SCAN_CHUNK):
        if utf8:
            try:
                decoder.decode(chunk)
            except UnicodeDecodeError:
                utf8 = False
        holes = holes or any(hole in chunk for hole in _CP1252_HOLES)
    if utf8:
        try:
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            utf8 = False  # the file ends inside a multi-byte character
    handle.seek(0)
    if utf8:
        return "utf-8"
    return "latin-1" if holes else "cp1252"


def ends_with_line_break(handle: BinaryIO, encoding: str) -> bool:
    """Whether the last character is a line break; a last row without one may be cut short."""
    width = {"utf-16": 2, "utf-32": 4}.get(encoding, 1)
    handle.seek(0, io.SEEK_END)
    handle.seek(max(0, handle.tell() - width))
    tail = handle.read()
    handle.seek(0)
    if width == 1:
        return tail in (b"\n", b"\r")
    # The tail has no BOM to tell the byte order: accept a line break in either.
    return any(
        tail == char.encode(f"{encoding}-{order}") for char in "\n\r" for order in ("le", "be")
    )


def detect_delimiter(sample: str) -> str:
    """The delimiter that splits the sample into the most columns, the same number on (almost)
    every row. csv.Sniffer guesses wrong on short samples and on cells full of commas; counting
    consistent columns per candidate does not."""
    best, best_score = ",", (False, False, 0.0, 0)
    for delimiter in DELIMITERS:
        rows = [row for row in csv.reader(io.StringIO(sample), delimiter=delimiter) if row]
        if not rows:
            continue
        width = len(rows[0])
        consistent = sum(1 for row in rows if len(row) == width) / len(rows)
        # Splitting at all beats consistency: one column is always "consistent".
        score = (width > 1, consistent >= 0.8, consistent, width)
        if score > best_score:
            best, best_score = delimiter, score
    return best


def complete_lines(text: str, at_end: bool) -> str:
    """The sample without its last, probably cut, line (unless the file ended there)."""
    if at_end:
        return text
    cut = max(text.rfind("\n"), text.rfind("\r"))
    return text[:cut] if cut > 0 else text
