"""The choices a person makes for one import, kept with it (list_imports.options) so the task that
runs it, and whoever looks at it later, see the same."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import phonenumbers

from campaigns.contact_import.mapping import ColumnMapping
from campaigns.errors import ValidationError


@dataclass(frozen=True)
class ImportOptions:
    # None: guess from the headers (then from the cells).
    mapping: ColumnMapping | None = None
    # For numbers written without a country code; None: the campaign's default region.
    region: str | None = None
    # None: the file's name without its extension.
    list_name: str | None = None
    # Skip numbers any campaign dialed within this many days; None: skip none.
    skip_dialed_days: int | None = None
    # None: decide from the first row (a row with a phone-like cell is data, not a header).
    has_header: bool | None = None
    # XLSX: the sheet to read; None: the first.
    sheet: str | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "mapping": self.mapping.to_json() if self.mapping else None,
            "region": self.region,
            "list_name": self.list_name,
            "skip_dialed_days": self.skip_dialed_days,
            "has_header": self.has_header,
            "sheet": self.sheet,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> ImportOptions:
        mapping = data.get("mapping")
        return cls(
            mapping=ColumnMapping.from_json(mapping) if mapping else None,
            region=data.get("region"),
            list_name=data.get("list_name"),
            skip_dialed_days=data.get("skip_dialed_days"),
            has_header=data.get("has_header"),
            sheet=data.get("sheet"),
        )


def validate_options(options: ImportOptions) -> ImportOptions:
    problems = []
    region = options.region.upper() if options.region else None
    if region is not None and region not in phonenumbers.SUPPORTED_REGIONS:
        problems.append(f"region: {options.region!r} is not a country code (e.g. US, GB, DE)")
    if options.skip_dialed_days is not None and not 1 <= options.skip_dialed_days <= 3650:
        problems.append("skip_dialed_days: 1-3650 days")
    if options.list_name is not None and not 1 <= len(options.list_name.strip()) <= 200:
        problems.append("list_name: 1-200 characters")
    if problems:
        raise ValidationError(problems)
    return ImportOptions(
        mapping=options.mapping,
        region=region,
        list_name=options.list_name.strip() if options.list_name else None,
        skip_dialed_days=options.skip_dialed_days,
        has_header=options.has_header,
        sheet=options.sheet,
    )
