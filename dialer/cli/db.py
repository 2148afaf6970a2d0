"""`dialer db`: the schema."""

from __future__ import annotations

import click

from campaigns.storage import migrate
from campaigns.storage.db import connect
from dialer.bootstrap import upgrade_database
from dialer.cli.output import emit_json
from dialer.cli.runtime import Runtime


@click.group()
def db() -> None:
    """Database schema."""


@db.command()
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")
@click.pass_obj
def upgrade(runtime: Runtime, as_json: bool) -> None:
    """Apply pending migrations (safe to run twice, or from two hosts at once)."""
    applied = upgrade_database(runtime.services().database_url)
    if as_json:
        emit_json({"applied": [f"{m.version:04d}_{m.name}" for m in applied]})
    elif applied:
        for migration in applied:
            click.echo(f"applied {migration.version:04d}_{migration.name}")
    else:
        click.echo("the schema is up to date")


@db.command()
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")
@click.pass_obj
def status(runtime: Runtime, as_json: bool) -> None:
    """Show the schema version against what this code needs."""
    with connect(runtime.services().database_url) as conn:
        have = migrate.current_version(conn)
    wanted = len(migrate.available_migrations())
    if as_json:
        emit_json({"version": have, "latest": wanted, "up_to_date": have == wanted})
    else:
        click.echo(
            f"schema version {have} of {wanted}"
            + ("" if have == wanted else " (run `dialer db upgrade`)")
        )
