"""The mapping step of an upload: how the file was read, its columns, its first rows and the
mapping we would use, before anything is imported."""

from __future__ import annotations

from dataclasses import dataclass
from itertools import islice
from pathlib import Path
from typing import Any

from campaigns.contact_import.mapping import ColumnMapping, guess_mapping, resolve_mapping
from campaigns.contact_import.source import FileShape, open_table
from campaigns.errors import UnreadableFile, ValidationError

PREVIEW_ROWS = 10
# Rows the column guesser looks at when headers say nothing.
_GUESS_ROWS = 50


@dataclass(frozen=True)
class FilePreview:
    shape: FileShape
    has_header: bool
    headers: tuple[str, ...]
    # The first data rows, each as wide as the headers.
    rows: tuple[tuple[str, ...], ...]
    # The guessed (or given) mapping checked against the headers; None when no phone column
    # could be found, `problems` then says why.
    mapping: ColumnMapping | None
    problems: tuple[str, ...]

    def to_json(self) -> dict[str, Any]:
        return {
            "format": self.shape.format.value,
            "encoding": self.shape.encoding,
            "delimiter": self.shape.delimiter,
            "sheet": self.shape.sheet,
            "sheets": list(self.shape.sheets),
            "has_header": self.has_header,
            "headers": list(self.headers),
            "rows": [list(row) for row in self.rows],
            "mapping": self.mapping.to_json() if self.mapping else None,
            "problems": list(self.problems),
        }


def preview_file(
    path: Path,
    mapping: ColumnMapping | None = None,
    rows: int = PREVIEW_ROWS,
    has_header: bool | None = None,
    sheet: str | None = None,
) -> FilePreview:
    with open_table(path, has_header=has_header, sheet=sheet) as table:
        if not table.headers and len(table.shape.sheets) > 1:
            # Another sheet of the workbook may be the list: say so instead of refusing the file.
            empty = f"the sheet {table.shape.sheet!r} has no rows: pick another sheet"
            return FilePreview(table.shape, table.has_header, (), (), None, (empty,))
        if not table.headers:
            raise UnreadableFile("the file has no rows")
        sample = [cells for _, cells in islice(table.rows(), max(rows, _GUESS_ROWS))]
        width = len(table.headers)
        shown = tuple(tuple((cells + [""] * width)[:width]) for cells in sample[:rows])
        try:
            resolved: ColumnMapping | None = choose_mapping(table.headers, sample, mapping)
            problems: tuple[str, ...] = ()
        except ValidationError as error:
            resolved, problems = None, tuple(error.problems)
        return FilePreview(table.shape, table.has_header, table.headers, shown, resolved, problems)


def choose_mapping(
    headers: tuple[str, ...], sample: list[list[str]], mapping: ColumnMapping | None
) -> ColumnMapping:
    """The given mapping checked against the headers, or a guessed one; ValidationError when
    either leaves no phone column."""
    chosen = mapping if mapping is not None else guess_mapping(headers, sample)
    if mapping is None and not chosen.phones:
        raise ValidationError(
            [
                "map: no column looks like phone numbers "
                f"(columns: {', '.join(headers)}); map one with --map phone=COLUMN"
            ]
        )
    return resolve_mapping(chosen, headers)
