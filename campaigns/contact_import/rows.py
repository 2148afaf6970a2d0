"""Rows of a list file -> lines of the staging table, in PostgreSQL's COPY text format.

Runs in the import's worker processes: each batch comes back as ready-to-send bytes, so the
process that reads the file and talks to PostgreSQL does no per-row work beyond reading.

One staging line per phone number found (a row with mobile and home gives two lines sharing the
row number), or one line with a reason for a row that has no usable number at all.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import phonenumbers

from campaigns.contact_import.mapping import ColumnMapping, Role
from campaigns.contact_import.phones import Phone, PhoneNormaliser
from campaigns.contact_import.time_zones import explicit_zones, narrow_by_zip
from campaigns.contact_import.zip_zones import normalise_zip

# JSON strings, ASCII only (PostgreSQL decodes the \u escapes): the C encoder json.dumps uses.
_json_string: Callable[[str], str] = json.encoder.encode_basestring_ascii
# The seven columns between phone_index and fields of a line with no number.
_EMPTY_7 = "\\N\t" * 7
NULL = "\\N"
NO_PHONE = "no phone number"
TRUNCATED = "the file ends in the middle of this row (cut short?)"
NO_ZONE = "no time zone known for this number (add a time zone column)"

# The staging table's columns, in the order each line gives them.
STAGE_COLUMNS = (
    "row_number",
    "phone_index",
    "phone_e164",
    "phone_type",
    "extension",
    "first_name",
    "last_name",
    "postal_code",
    "time_zones",
    "fields",
    "reason",
)


def copy_text(value: str) -> str:
    """COPY text format: backslash escapes for the four characters it gives meaning to.
    (str.translate with a mapping is ten times slower than these checks.)"""
    if "\\" in value:
        value = value.replace("\\", "\\\\")
    if "\t" in value or "\n" in value or "\r" in value:
        value = value.replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")
    return value


@dataclass(frozen=True)
class RowPlan:
    """What the workers need to know about the file, as column positions."""

    headers: tuple[str, ...]
    phone_columns: tuple[int, ...]
    first_name: int | None
    last_name: int | None
    postal_code: int | None
    time_zone: int | None
    country: int | None
    region: str
    with_zones: bool = True


def plan_rows(
    headers: Sequence[str], mapping: ColumnMapping, region: str, with_zones: bool = True
) -> RowPlan:
    position = {header: index for index, header in enumerate(headers)}

    def column(role: Role) -> int | None:
        header = mapping.header_for(role)
        return None if header is None else position[header]

    return RowPlan(
        headers=tuple(headers),
        phone_columns=tuple(position[p.header] for p in mapping.phones),
        first_name=column(Role.FIRST_NAME),
        last_name=column(Role.LAST_NAME),
        postal_code=column(Role.POSTAL_CODE),
        time_zone=column(Role.TIME_ZONE),
        country=column(Role.COUNTRY),
        region=region,
        with_zones=with_zones,
    )


@dataclass(frozen=True)
class BatchResult:
    copy_data: bytes
    rows: int
    blank: int
    numbers: int
    invalid: int


# A role no column plays reads the empty cell each row gets appended at its end.
_ABSENT = -1


class RowNormaliser:
    """Per worker process: the plan, a PhoneNormaliser and caches of repeated cells."""

    def __init__(self, plan: RowPlan) -> None:
        self.plan = plan
        self._phones = PhoneNormaliser(with_zones=plan.with_zones)
        self._explicit: dict[str, tuple[str, ...] | None] = {}
        self._by_zip: dict[tuple[tuple[str, ...], str], tuple[str, ...]] = {}
        self._keys = [_json_string(header) + ":" for header in plan.headers]

        def at(index: int | None) -> int:
            return _ABSENT if index is None else index

        self._first, self._last = at(plan.first_name), at(plan.last_name)
        self._postal, self._zone = at(plan.postal_code), at(plan.time_zone)
        self._country = at(plan.country)

    def batch(
        self, rows: Sequence[tuple[int, list[str]]], truncated_row: int | None
    ) -> BatchResult:
        lines: list[str] = []
        counts = [0, 0, 0, 0]  # rows, blank, numbers, invalid
        width = len(self.plan.headers)
        for number, raw_cells in rows:
            cells = [cell.strip() for cell in raw_cells]
            if not any(cells) and number != truncated_row:
                counts[1] += 1
                continue
            counts[0] += 1
            if len(cells) < width:
                cells.extend([""] * (width - len(cells)))
            cells.append("")  # what _ABSENT reads
            self._row(number, cells, number == truncated_row, lines, counts)
        return BatchResult("".join(lines).encode(), counts[0], counts[1], counts[2], counts[3])

    def _row(
        self, number: int, cells: list[str], truncated: bool, lines: list[str], counts: list[int]
    ) -> None:
        plan = self.plan
        fields = self._fields(cells)
        if truncated:
            lines.append(f"{number}\t{NULL}\t{_EMPTY_7}{fields}\t{TRUNCATED}\n")
            counts[3] += 1
            return
        region = plan.region
        country = cells[self._country]
        if country and country.upper() in phonenumbers.SUPPORTED_REGIONS:
            region = country.upper()
        postal = cells[self._postal]
        if postal and region == "US" and postal.isdigit() and 3 <= len(postal) < 5:
            postal = postal.zfill(5)  # Excel drops the leading zeros of 02134
        explicit = self._explicit_zones(cells[self._zone]) if plan.with_zones else None
        head = (
            f"{copy_text(cells[self._first])}\t{copy_text(cells[self._last])}\t"
            f"{copy_text(postal) if postal else NULL}\t"
        )
        found = False
        for index, column in enumerate(plan.phone_columns):
            text = cells[column]
            if not text:
                continue
            found = True
            result = self._phones.normalise(text, region)
            if isinstance(result, Phone):
                zones = explicit or self._zones(result, postal)
                if zones or not plan.with_zones:
                    array = "{" + ",".join(zones) + "}" if plan.with_zones else NULL
                    extension = copy_text(result.extension) if result.extension else NULL
                    lines.append(
                        f"{number}\t{index}\t{result.e164}\t{result.type_name}\t{extension}\t"
                        f"{head}{array}\t{fields}\t{NULL}\n"
                    )
                    counts[2] += 1
                    continue
                result = NO_ZONE
            lines.append(f"{number}\t{index}\t{_EMPTY_7}{fields}\t{result}\n")
            counts[3] += 1
        if not found:
            lines.append(f"{number}\t{NULL}\t{_EMPTY_7}{fields}\t{NO_PHONE}\n")
            counts[3] += 1

    def _fields(self, cells: list[str]) -> str:
        """The row's non-empty cells as a JSON object by header, escaped for COPY. Built by hand
        from the C string encoder: json.dumps of a dict costs three times as much."""
        keys = self._keys
        width = len(keys)
        parts = [
            (keys[i] if i < width else _json_string(f"column_{i + 1}") + ":") + _json_string(value)
            for i, value in enumerate(cells)
            if value
        ]
        # JSON escapes tabs and line breaks itself: only its backslashes need COPY's escape.
        return ("{" + ",".join(parts) + "}").replace("\\", "\\\\")

    def _zones(self, phone: Phone, postal: str) -> tuple[str, ...]:
        if not postal or not phone.e164.startswith("+1"):
            return phone.zones
        key = (phone.zones, postal)
        zones = self._by_zip.get(key)
        if zones is None:
            zones = narrow_by_zip(phone.zones, postal) if normalise_zip(postal) else phone.zones
            self._by_zip[key] = zones
        return zones

    def _explicit_zones(self, text: str) -> tuple[str, ...] | None:
        if text not in self._explicit:
            self._explicit[text] = explicit_zones(text)
        return self._explicit[text]
