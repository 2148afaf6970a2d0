"""Do-not-call lists from files (and single numbers): the same reading, normalising and staging
as call lists, then one insert into dnc_entries and one update blocking the matching contacts."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from itertools import islice
from pathlib import Path
from typing import Any

import phonenumbers

from campaigns.contact_import.mapping import ColumnMapping
from campaigns.contact_import.options import ImportOptions, validate_options
from campaigns.contact_import.phones import Phone, PhoneNormaliser
from campaigns.contact_import.pipeline import Progress, batched, normalise_rows
from campaigns.contact_import.preview import choose_mapping
from campaigns.contact_import.rows import plan_rows
from campaigns.contact_import.source import open_table
from campaigns.errors import UnreadableFile, ValidationError
from campaigns.storage import dnc_store, import_store
from campaigns.storage.db import Connection, connect

_SOURCE_LIMIT = 200


@dataclass(frozen=True)
class DncImportResult:
    rows: int
    # Distinct valid numbers in the file; of those, entries that were not on the list yet.
    numbers: int
    added: int
    invalid: int
    # Contacts (of the campaign, or of every campaign for the global list) blocked by it now.
    blocked: int

    def to_json(self) -> dict[str, Any]:
        return {
            "rows": self.rows,
            "numbers": self.numbers,
            "added": self.added,
            "invalid": self.invalid,
            "blocked": self.blocked,
        }


def import_dnc_file(
    database_url: str,
    path: Path,
    campaign_id: int | None,
    *,
    source: str,
    region: str = "US",
    mapping: ColumnMapping | None = None,
    has_header: bool | None = None,
    on_progress: Callable[[Progress], None] | None = None,
    workers: int | None = None,
    added_by: int | None = None,
) -> DncImportResult:
    """All or nothing, like list imports: a file that fails half way adds no entry."""
    source = _checked_source(source)
    options = validate_options(ImportOptions(mapping=mapping, region=region, has_header=has_header))
    assert options.region is not None
    with open_table(path, has_header=options.has_header) as table:
        if not table.headers:
            raise UnreadableFile("the file has no rows")
        rows = table.rows()
        sample = list(islice(rows, 50))
        chosen = choose_mapping(table.headers, [cells for _, cells in sample], options.mapping)
        plan = plan_rows(table.headers, chosen, options.region, with_zones=False)
        with connect(database_url) as conn, conn.transaction():
            import_store.create_stage(conn)
            with import_store.copy_into_stage(conn) as copy:
                totals = normalise_rows(
                    batched(_chain(sample, rows)),
                    plan,
                    copy.write,
                    truncated_row=lambda: table.truncated_row,
                    fraction_read=table.fraction_read,
                    on_progress=on_progress,
                    workers=workers,
                )
            added = dnc_store.add_staged(conn, campaign_id, source, added_by)
    return DncImportResult(totals.rows, added.numbers, added.added, added.invalid, added.blocked)


def add_dnc_number(
    conn: Connection,
    number: str,
    campaign_id: int | None,
    *,
    source: str,
    region: str = "US",
    added_by: int | None = None,
) -> tuple[str, dnc_store.DncAdded]:
    """One number (an agent's "do not call" disposition, a phone request): its E.164 and what
    adding it did."""
    return _e164(number, region), dnc_store.add_number(
        conn, _e164(number, region), campaign_id, _checked_source(source), added_by
    )


def check_number(conn: Connection, number: str, region: str = "US") -> list[dnc_store.DncListing]:
    return dnc_store.find_number(conn, _e164(number, region))


def _e164(number: str, region: str) -> str:
    if region.upper() not in phonenumbers.SUPPORTED_REGIONS:
        raise ValidationError([f"region: {region!r} is not a country code (e.g. US, GB, DE)"])
    found = PhoneNormaliser(with_zones=False).normalise(number, region.upper())
    if not isinstance(found, Phone):
        raise ValidationError([f"number: {number!r}: {found}"])
    return found.e164


def _checked_source(source: str) -> str:
    cleaned = source.strip()
    if not 1 <= len(cleaned) <= _SOURCE_LIMIT:
        raise ValidationError(
            [f"source: 1-{_SOURCE_LIMIT} characters saying where the list is from"]
        )
    return cleaned


def _chain(
    first: list[tuple[int, list[str]]], rest: Iterator[tuple[int, list[str]]]
) -> Iterator[tuple[int, list[str]]]:
    yield from first
    yield from rest
