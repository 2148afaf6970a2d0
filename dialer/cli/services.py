"""`dialer services`: the embedded PostgreSQL and Redis."""

from __future__ import annotations

import click

from dialer.cli.output import emit_fields, emit_json
from dialer.cli.runtime import Runtime
from dialer.embedded import EmbeddedServices, stop_servers


@click.group()
def services() -> None:
    """Embedded PostgreSQL and Redis (used when DATABASE_URL / REDIS_URL are unset)."""


@services.command()
@click.option("--json", "as_json", is_flag=True)
@click.pass_obj
def status(runtime: Runtime, as_json: bool) -> None:
    """Show whether the embedded servers run and how many commands use them."""
    data = EmbeddedServices(runtime.settings.data_dir).status()
    emit_json(data) if as_json else emit_fields(data)


@services.command()
@click.option("--force", is_flag=True, help="Stop even while other dialer commands use them.")
@click.pass_obj
def stop(runtime: Runtime, force: bool) -> None:
    """Stop the embedded servers (they also stop when the last dialer command exits)."""
    embedded = EmbeddedServices(runtime.settings.data_dir)
    in_use = int(str(embedded.status()["leases"]))
    if in_use and not force:
        raise click.ClickException(f"{in_use} dialer command(s) still use them; add --force")
    stop_servers(runtime.settings.data_dir)
    click.echo("stopped")
