"""`dialer dnc`: do-not-call lists (global, or one campaign's)."""

from __future__ import annotations

from pathlib import Path

import click

from campaigns.contact_import import dnc_import
from campaigns.contact_import.mapping import parse_map_options
from campaigns.storage import campaign_store, dnc_store
from campaigns.storage.db import Connection
from dialer.cli.lists import _progress_bar
from dialer.cli.output import emit_fields, emit_json, emit_table
from dialer.cli.runtime import Runtime


@click.group()
def dnc() -> None:
    """Do-not-call lists: numbers never dialed, by any campaign or by one."""


def _campaign(conn: Connection, name: str | None) -> tuple[int | None, str]:
    """The campaign's id (None: the global list) and its default region."""
    if name is None:
        return None, "US"
    found = campaign_store.find_campaign(conn, name)
    return found.id, found.spec.default_region


@dnc.command(name="import")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--campaign", help="The campaign's own list (default: the global list).")
@click.option("--source", help="Where the list comes from (default: the file name).")
@click.option("--region", help="Country for numbers without a country code.")
@click.option("--map", "maps", multiple=True, metavar="phone=COLUMNS", help="Phone column(s).")
@click.option("--header/--no-header", default=None)
@click.option("--workers", type=int, help="Worker processes (default: one per core).")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")
@click.pass_obj
def import_(
    runtime: Runtime,
    *,
    path: Path,
    campaign: str | None,
    source: str | None,
    region: str | None,
    maps: tuple[str, ...],
    header: bool | None,
    workers: int | None,
    as_json: bool,
) -> None:
    """Add a file of numbers to a DNC list; matching contacts are blocked at once."""
    with runtime.connection() as conn:
        campaign_id, default_region = _campaign(conn, campaign)
    with _progress_bar(not as_json) as advance:
        result = dnc_import.import_dnc_file(
            runtime.services().database_url,
            path,
            campaign_id,
            source=source or path.name,
            region=region or default_region,
            mapping=parse_map_options(maps) if maps else None,
            has_header=header,
            on_progress=advance,
            workers=workers,
        )
    emit_json(result.to_json()) if as_json else emit_fields(result.to_json())


@dnc.command()
@click.argument("number")
@click.option("--campaign", help="The campaign's own list (default: the global list).")
@click.option("--source", default="manual", show_default=True)
@click.option("--region", help="Country for a number without a country code.")
@click.option("--json", "as_json", is_flag=True)
@click.pass_obj
def add(
    runtime: Runtime,
    *,
    number: str,
    campaign: str | None,
    source: str,
    region: str | None,
    as_json: bool,
) -> None:
    """Add one number to a DNC list; its contacts are blocked at once."""
    with runtime.connection() as conn:
        campaign_id, default_region = _campaign(conn, campaign)
        e164, added = dnc_import.add_dnc_number(
            conn, number, campaign_id, source=source, region=region or default_region
        )
    data = {"number": e164, "added": added.added, "blocked": added.blocked}
    emit_json(data) if as_json else emit_fields(data)


@dnc.command()
@click.argument("number")
@click.option("--region", default="US", show_default=True)
@click.option("--json", "as_json", is_flag=True)
@click.pass_obj
def check(runtime: Runtime, number: str, region: str, as_json: bool) -> None:
    """Which DNC lists hold a number."""
    with runtime.connection() as conn:
        entries = dnc_import.check_number(conn, number, region)
    rows = [
        {
            "number": e.phone_e164,
            "list": e.campaign or "global",
            "source": e.source,
            "added_at": e.added_at,
        }
        for e in entries
    ]
    if as_json:
        emit_json(rows)
    else:
        emit_table(rows, ["number", "list", "source", "added_at"])


@dnc.command(name="list")
@click.option("--campaign", help="The campaign's own list (default: the global list).")
@click.option("--limit", type=click.IntRange(1, 10000), default=100, show_default=True)
@click.option("--json", "as_json", is_flag=True)
@click.pass_obj
def list_(runtime: Runtime, campaign: str | None, limit: int, as_json: bool) -> None:
    """The latest entries of a DNC list."""
    with runtime.connection() as conn:
        campaign_id, _ = _campaign(conn, campaign)
        entries = dnc_store.list_entries(conn, campaign_id, limit)
    rows = [{"number": e.phone_e164, "source": e.source, "added_at": e.added_at} for e in entries]
    if as_json:
        emit_json(rows)
    else:
        emit_table(rows, ["number", "source", "added_at"])
