"""`dialer bench`: measurements behind the README's figures (results in bench/results/).

Each benchmark adds its own subcommand below; keep them independent of each other.
"""

from __future__ import annotations

import click

from dialer.cli.output import emit_json
from dialer.cli.runtime import Runtime


@click.group()
def bench() -> None:
    """Benchmarks: print figures as JSON, for bench/results/."""


# --- list import (issue 3) ---------------------------------------------------------------------


@bench.command(name="import")
@click.option("--rows", type=click.IntRange(1, 20_000_000), default=1_000_000, show_default=True)
@click.option("--workers", type=int, help="Worker processes (default: one per core).")
@click.option("--keep", is_flag=True, help="Keep the benchmark campaign and its contacts.")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object (the default too).")
@click.pass_obj
def import_(runtime: Runtime, *, rows: int, workers: int | None, keep: bool, as_json: bool) -> None:
    """Generate a realistic list of ROWS rows and import it into a fresh campaign."""
    from dialer.bench.import_bench import run_import_bench

    database_url = runtime.services().database_url
    with runtime.connection():
        pass  # checks the schema is current before spending minutes generating
    result = run_import_bench(
        database_url, rows, workers=workers, keep=keep, say=lambda text: click.echo(text, err=True)
    )
    emit_json(result)
