"""Rows of a list file -> lines of the staging table, in PostgreSQL's COPY text format.

Runs in the import's worker processes: each batch comes back as ready-to-send bytes, so the
process that reads the file and talks to PostgreSQL does no per-row work beyond reading.

One staging line per phone number found (a row with mobile and home gives two lines sharing the
row number), or one line with a reason for a row that has no usable number at all.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass

import phonenumbers

from campaigns.contact_import.mapping import ColumnMapping, Role
from campaigns.contact_import.phones import Phone, PhoneNormaliser
from campaigns.contact_import.time_zones import explicit_zones, narrow_by_zip
from campaigns.contact_import.zip_zones import normalise_zip

# Compact, ASCII-only JSON: the C encoder's fastest path; PostgreSQL decodes the \u escapes.
_JSON = json.JSONEncoder(separators=(",", ":"))
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


class RowNormaliser:
    def __init__(self, plan: RowPlan) -> None:
        self.plan = plan
        self._phones = PhoneNormaliser(with_zones=plan.with_zones)
        self._explicit: dict[str, tuple[str, ...] | None] = {}

    def batch(
        self, rows: Sequence[tuple[int, list[str]]], truncated_row: int | None
    ) -> BatchResult:
        lines: list[str] = []
        counts = [0, 0, 0, 0]  # rows, blank, numbers, invalid
        for number, raw_cells in rows:
            # NUL cannot be stored in PostgreSQL text (nor as \u0000 in jsonb): it goes.
            cells = [cell.strip().replace("\x00", "") for cell in raw_cells]
            if not any(cells) and number != truncated_row:
                counts[1] += 1
                continue
            counts[0] += 1
            self._row(number, cells, number == truncated_row, lines, counts)
        return BatchResult("".join(lines).encode(), counts[0], counts[1], counts[2], counts[3])

    def _row(
        self, number: int, cells: list[str], truncated: bool, lines: list[str], counts: list[int]
    ) -> None:
        plan = self.plan

        def cell(index: int | None) -> str:
            return cells[index] if index is not None and index < len(cells) else ""

        # JSON escapes tabs and line breaks itself: only its backslashes need COPY's escape.
        fields = _JSON.encode(self._fields(cells)).replace("\\", "\\\\")
        if truncated:
            lines.append(f"{number}\t{NULL}\t" + f"{NULL}\t" * 7 + f"{fields}\t{TRUNCATED}\n")
            counts[3] += 1
            return
        region = plan.region
        country = cell(plan.country).upper()
        if country and country in phonenumbers.SUPPORTED_REGIONS:
            region = country
        postal = cell(plan.postal_code)
        if region == "US" and postal.isdigit() and 3 <= len(postal) < 5:
            postal = postal.zfill(5)  # Excel drops the leading zeros of 02134
        explicit = self._explicit_zones(cell(plan.time_zone)) if plan.with_zones else None
        head = f"{copy_text(cell(plan.first_name))}\t{copy_text(cell(plan.last_name))}\t"
        head += f"{copy_text(postal) if postal else NULL}\t"
        found = False
        for index, column in enumerate(plan.phone_columns):
            text = cell(column)
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
            lines.append(f"{number}\t{index}\t" + f"{NULL}\t" * 7 + f"{fields}\t{result}\n")
            counts[3] += 1
        if not found:
            lines.append(f"{number}\t{NULL}\t" + f"{NULL}\t" * 7 + f"{fields}\t{NO_PHONE}\n")
            counts[3] += 1

    def _fields(self, cells: list[str]) -> dict[str, str]:
        headers = self.plan.headers
        width = len(headers)
        return {
            headers[i] if i < width else f"column_{i + 1}": value
            for i, value in enumerate(cells)
            if value
        }

    def _zones(self, phone: Phone, postal: str) -> tuple[str, ...]:
        if postal and phone.e164.startswith("+1") and normalise_zip(postal):
            return narrow_by_zip(phone.zones, postal)
        return phone.zones

    def _explicit_zones(self, text: str) -> tuple[str, ...] | None:
        if text not in self._explicit:
            self._explicit[text] = explicit_zones(text)
        return self._explicit[text]
