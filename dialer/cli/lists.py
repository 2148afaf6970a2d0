"""`dialer lists`: import call lists, follow imports, download rejected rows, mapping templates."""

from __future__ import annotations

import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import click

from campaigns.contact_import import service
from campaigns.contact_import.mapping import ColumnMapping, parse_map_options
from campaigns.contact_import.options import ImportOptions
from campaigns.contact_import.pipeline import Progress
from campaigns.contact_import.preview import preview_file
from campaigns.contact_import.rejects_export import write_rejects_csv
from campaigns.errors import ValidationError
from campaigns.storage import campaign_store, import_store, mapping_store
from campaigns.storage.db import Connection
from dialer.cli.output import emit_fields, emit_json, emit_table
from dialer.cli.runtime import Runtime

_MAP_HELP = (
    "Column roles: phone=COL[:label][,COL...] (each number its own contact), first_name=COL, "
    "last_name=COL, postal_code=COL, time_zone=COL, country=COL. Repeatable; without it, "
    "common headers are recognised."
)


@click.group(name="lists")
def lists() -> None:
    """Call lists: import, progress, rejected rows, mapping templates."""


def _mapping(
    conn: Connection, campaign_id: int | None, maps: tuple[str, ...], template: str | None
) -> ColumnMapping | None:
    if maps and template:
        raise ValidationError(["map: give --map options or --mapping-template, not both"])
    if template:
        if campaign_id is None:
            raise ValidationError(["mapping-template: templates belong to a campaign (--campaign)"])
        return mapping_store.get_template(conn, campaign_id, template)
    return parse_map_options(maps) if maps else None


@contextmanager
def _progress_bar(enabled: bool) -> Iterator[Callable[[Progress], None] | None]:
    if not enabled:
        yield None
        return
    with click.progressbar(length=1000, label="importing", file=sys.stderr) as bar:
        shown = 0

        def advance(progress: Progress) -> None:
            nonlocal shown
            target = int(progress.fraction * 1000)
            if target > shown:
                bar.update(target - shown)
                shown = target

        yield advance
        bar.update(1000 - shown)


@lists.command(name="import")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--campaign", required=True, help="The campaign the contacts are for.")
@click.option("--region", help="Country for numbers without a country code (campaign's default).")
@click.option("--name", "list_name", help="List name (default: the file name).")
@click.option("--map", "maps", multiple=True, metavar="ROLE=COLUMNS", help=_MAP_HELP)
@click.option("--mapping-template", help="Use the campaign's saved mapping of this name.")
@click.option("--save-mapping", metavar="NAME", help="Save the mapping used as a template.")
@click.option("--skip-dialed-days", type=int, help="Skip numbers any campaign dialed lately.")
@click.option("--header/--no-header", default=None, help="Whether row 1 holds column names.")
@click.option("--sheet", help="XLSX: the sheet to read (default: the first).")
@click.option("--workers", type=int, help="Worker processes (default: one per core).")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")
@click.pass_obj
def import_(
    runtime: Runtime,
    *,
    path: Path,
    campaign: str,
    region: str | None,
    list_name: str | None,
    maps: tuple[str, ...],
    mapping_template: str | None,
    save_mapping: str | None,
    skip_dialed_days: int | None,
    header: bool | None,
    sheet: str | None,
    workers: int | None,
    as_json: bool,
) -> None:
    """Import a CSV or XLSX call list into a campaign."""
    started = time.perf_counter()
    with runtime.connection() as conn:
        found = campaign_store.find_campaign(conn, campaign)
        options = ImportOptions(
            mapping=_mapping(conn, found.id, maps, mapping_template),
            region=region,
            list_name=list_name,
            skip_dialed_days=skip_dialed_days,
            has_header=header,
            sheet=sheet,
        )
        import_id = service.start_import(conn, found.id, path, filename=path.name, options=options)
        if save_mapping:
            used = import_store.get_import(conn, import_id).options["mapping"]
            mapping_store.save_template(conn, found.id, save_mapping, ColumnMapping.from_json(used))
    with _progress_bar(not as_json) as advance:
        status = service.run_import(
            runtime.services().database_url, import_id, advance, workers=workers
        )
    result: dict[str, Any] = {
        "import_id": status.id,
        "list_id": status.list_id,
        **status.counts.to_json(),
        "seconds": round(time.perf_counter() - started, 3),
        "rejects": f"dialer lists rejects {status.id}" if status.counts.rejected_rows else None,
    }
    if as_json:
        emit_json(result)
    else:
        emit_fields(result)


@lists.command()
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--campaign", help="Campaign whose mapping templates --mapping-template names.")
@click.option("--map", "maps", multiple=True, metavar="ROLE=COLUMNS", help=_MAP_HELP)
@click.option("--mapping-template", help="Check the campaign's saved mapping of this name.")
@click.option("--rows", type=click.IntRange(1, 100), default=10, show_default=True)
@click.option("--header/--no-header", default=None)
@click.option("--sheet", help="XLSX: the sheet to read (default: the first).")
@click.option("--json", "as_json", is_flag=True)
@click.pass_obj
def preview(
    runtime: Runtime,
    *,
    path: Path,
    campaign: str | None,
    maps: tuple[str, ...],
    mapping_template: str | None,
    rows: int,
    header: bool | None,
    sheet: str | None,
    as_json: bool,
) -> None:
    """Show how a file reads: format, columns, first rows and the mapping an import would use."""
    mapping = None
    if maps or mapping_template:
        with runtime.connection() as conn:
            campaign_id = campaign_store.find_campaign(conn, campaign).id if campaign else None
            mapping = _mapping(conn, campaign_id, maps, mapping_template)
    found = preview_file(path, mapping, rows, header, sheet)
    if as_json:
        emit_json(found.to_json())
        return
    data = found.to_json()
    fields = {k: data[k] for k in ("format", "encoding", "delimiter", "sheet", "mapping")}
    if found.shape.sheets:
        fields["sheets"] = ", ".join(found.shape.sheets)
    emit_fields(fields)
    for problem in found.problems:
        click.echo(f"problem: {problem}")
    emit_table([dict(zip(found.headers, row, strict=True)) for row in found.rows], found.headers)


@lists.command()
@click.argument("import_id", type=int)
@click.option("--json", "as_json", is_flag=True)
@click.pass_obj
def status(runtime: Runtime, import_id: int, as_json: bool) -> None:
    """State, progress and counts of an import."""
    with runtime.connection() as conn:
        data = service.get_import(conn, import_id).to_json()
    emit_json(data) if as_json else emit_fields(data)


@lists.command()
@click.option("--campaign", required=True)
@click.option("--json", "as_json", is_flag=True)
@click.pass_obj
def imports(runtime: Runtime, campaign: str, as_json: bool) -> None:
    """The campaign's latest imports."""
    with runtime.connection() as conn:
        found = campaign_store.find_campaign(conn, campaign)
        rows = [s.to_json() for s in import_store.list_imports(conn, found.id)]
    if as_json:
        emit_json(rows)
    else:
        emit_table(
            rows, ["import_id", "filename", "state", "rows", "imported", "duplicates", "invalid",
                   "dnc", "started_at"],
        )  # fmt: skip


@lists.command()
@click.argument("import_id", type=int)
@click.option(
    "--output",
    "-o",
    type=click.Path(dir_okay=False, path_type=Path),
    help="File (default: stdout).",
)
@click.pass_obj
def rejects(runtime: Runtime, import_id: int, output: Path | None) -> None:
    """Rejected rows of an import with their reasons, as CSV (safe to open in a spreadsheet)."""
    with runtime.connection() as conn:
        headers = import_store.get_import(conn, import_id).options.get("headers", [])
        found = import_store.rejects(conn, import_id)
        if output is None:
            write_rejects_csv(sys.stdout, headers, found)
        else:
            with output.open("w", encoding="utf-8-sig", newline="") as handle:
                count = write_rejects_csv(handle, headers, found)
            click.echo(f"{count} rejected rows written to {output}", err=True)


@lists.group()
def mapping() -> None:
    """Saved column mappings of a campaign."""


@mapping.command(name="save")
@click.argument("name")
@click.option("--campaign", required=True)
@click.option("--map", "maps", multiple=True, required=True, metavar="ROLE=COLUMNS", help=_MAP_HELP)
@click.pass_obj
def mapping_save(runtime: Runtime, name: str, campaign: str, maps: tuple[str, ...]) -> None:
    """Save (or replace) a mapping template."""
    with runtime.connection() as conn:
        found = campaign_store.find_campaign(conn, campaign)
        mapping_store.save_template(conn, found.id, name, parse_map_options(maps))
    click.echo(f"mapping {name} saved")


@mapping.command(name="list")
@click.option("--campaign", required=True)
@click.option("--json", "as_json", is_flag=True)
@click.pass_obj
def mapping_list(runtime: Runtime, campaign: str, as_json: bool) -> None:
    """A campaign's mapping templates."""
    with runtime.connection() as conn:
        found = campaign_store.find_campaign(conn, campaign)
        rows = [
            {"name": name, "mapping": m.to_json()}
            for name, m in mapping_store.list_templates(conn, found.id)
        ]
    emit_json(rows) if as_json else emit_table(rows, ["name", "mapping"])


@mapping.command(name="delete")
@click.argument("name")
@click.option("--campaign", required=True)
@click.pass_obj
def mapping_delete(runtime: Runtime, name: str, campaign: str) -> None:
    """Delete a mapping template."""
    with runtime.connection() as conn:
        found = campaign_store.find_campaign(conn, campaign)
        mapping_store.delete_template(conn, found.id, name)
    click.echo(f"mapping {name} deleted")
