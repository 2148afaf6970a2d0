"""`dialer trunk`: the SIP trunks campaigns dial through."""

from __future__ import annotations

import click

from campaigns.storage import trunk_store
from campaigns.trunk import TrunkSpec, validate_trunk
from dialer.cli.output import emit_json, emit_table
from dialer.cli.runtime import Runtime


def _public(spec: TrunkSpec, trunk_id: int) -> dict[str, object]:
    data: dict[str, object] = {"id": trunk_id, **spec.__dict__}
    data["auth_password"] = "***" if spec.auth_password else None
    return data


@click.group()
def trunk() -> None:
    """SIP trunks."""


@trunk.command()
@click.argument("name")
@click.option(
    "--uri", "uri_template", required=True, help="Destination, e.g. sip:{number}@carrier:5060"
)
@click.option("--proxy", "outbound_proxy", help="Outbound proxy URI.")
@click.option("--username", "auth_username", help="Digest user name.")
@click.option("--password", "auth_password", help="Digest password.")
@click.option("--realm", "auth_realm", help="Digest realm (any when unset).")
@click.option("--max-lines", type=int, default=100, show_default=True)
@click.option("--max-cps", type=float, default=10.0, show_default=True, help="Calls per second.")
@click.option("--json", "as_json", is_flag=True)
@click.pass_obj
def create(runtime: Runtime, /, name: str, as_json: bool, **fields: object) -> None:
    """Add a trunk."""
    spec = validate_trunk(TrunkSpec(name=name, **fields))  # type: ignore[arg-type]
    with runtime.connection() as conn:
        created = trunk_store.insert_trunk(conn, spec)
    if as_json:
        emit_json(_public(created.spec, created.id))
    else:
        click.echo(f"trunk {created.name} created (id {created.id})")


@trunk.command(name="list")
@click.option("--json", "as_json", is_flag=True)
@click.pass_obj
def list_(runtime: Runtime, as_json: bool) -> None:
    """List trunks."""
    with runtime.connection() as conn:
        rows = [_public(t.spec, t.id) for t in trunk_store.list_trunks(conn)]
    if as_json:
        emit_json(rows)
    else:
        emit_table(rows, ["id", "name", "uri_template", "outbound_proxy", "max_lines", "max_cps"])
