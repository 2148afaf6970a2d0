"""`dialer user`: dashboard accounts (the first admin comes from here) and API tokens."""

from __future__ import annotations

import sys

import click

from campaigns import passwords
from campaigns.storage import user_store
from campaigns.users import (
    Role,
    User,
    validate_password,
    validate_token_name,
    validate_username,
)
from dialer.call_commands import BadCommand, check_phone
from dialer.cli.output import emit_json, emit_table
from dialer.cli.runtime import Runtime


def _public(user: User) -> dict[str, object]:
    return {
        "id": user.id,
        "username": user.username,
        "display_name": user.display_name,
        "role": user.role.value,
        "disabled": user.disabled,
        "created_at": user.created_at,
    }


def _read_password(from_stdin: bool) -> str:
    """From standard input (scripts: one line), or typed twice without echo (people)."""
    if from_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    return validate_password(password)


@click.group()
def user() -> None:
    """Dashboard users and API tokens."""


@user.command()
@click.argument("username")
@click.option(
    "--role", type=click.Choice([r.value for r in Role]), required=True, help="What they may do."
)
@click.option("--display-name", default="", help="Name shown in the dashboard.")
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input.")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")
@click.pass_obj
def create(
    runtime: Runtime, /, username: str, *, role: str, display_name: str, password_stdin: bool,
    as_json: bool,
) -> None:  # fmt: skip
    """Create a user (agents also need a softphone: add them in the dashboard's Agents page)."""
    validate_username(username)
    password_hash = passwords.hash_password(_read_password(password_stdin))
    with runtime.connection() as conn:
        created = user_store.insert_user(conn, username, Role(role), password_hash, display_name)
    if as_json:
        emit_json(_public(created))
    else:
        click.echo(f"user {created.username} created ({created.role.value}, id {created.id})")


@user.command(name="list")
@click.option("--json", "as_json", is_flag=True, help="Print a JSON array.")
@click.pass_obj
def list_(runtime: Runtime, as_json: bool) -> None:
    """List users."""
    with runtime.connection() as conn:
        rows = [_public(u) for u in user_store.list_users(conn)]
    if as_json:
        emit_json(rows)
    else:
        emit_table(rows, ["id", "username", "role", "display_name", "disabled"])


@user.command()
@click.argument("username")
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input.")
@click.pass_obj
def passwd(runtime: Runtime, username: str, password_stdin: bool) -> None:
    """Set a user's password; every session they have open ends."""
    password_hash = passwords.hash_password(_read_password(password_stdin))
    with runtime.connection() as conn:
        found = user_store.find_user(conn, username)
        user_store.set_password(conn, found.id, password_hash)
    click.echo(f"password of {username} changed; their sessions have ended")


@user.command()
@click.argument("username")
@click.argument("sip_uri", required=False)
@click.option("--clear", is_flag=True, help="Forget the user's softphone.")
@click.pass_obj
def phone(runtime: Runtime, username: str, sip_uri: str | None, clear: bool) -> None:
    """Set the SIP URI of USERNAME's own softphone: a supervisor's listen, whisper and barge
    ring it into the call (e.g. sip:sue@192.0.2.20:5070)."""
    if clear == (sip_uri is not None):
        raise click.UsageError("give a SIP_URI or --clear")
    uri = None
    if sip_uri is not None:
        try:
            uri = check_phone(sip_uri)
        except BadCommand as bad:
            raise click.BadParameter(str(bad), param_hint="SIP_URI") from None
    with runtime.connection() as conn:
        found = user_store.find_user(conn, username)
        user_store.set_phone(conn, found.id, uri)
    click.echo(f"softphone of {username}: {uri or 'none'}")


@user.command()
@click.argument("username")
@click.option("--name", required=True, help="What the token is for, e.g. 'crm-sync'.")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")
@click.pass_obj
def token(runtime: Runtime, username: str, name: str, as_json: bool) -> None:
    """Issue an API token acting as USERNAME (with their role); it is shown only this once."""
    name = validate_token_name(name)
    secret = passwords.new_api_token()
    with runtime.connection() as conn:
        owner = user_store.find_user(conn, username)
        created = user_store.insert_token(conn, owner.id, name, passwords.token_digest(secret))
    if as_json:
        emit_json({"id": created.id, "name": created.name, "user": owner.username, "token": secret})
    else:
        click.echo(secret)
        click.echo(
            f"token {created.id} ({name}) for {owner.username}: shown once, store it now; "
            "send it as 'Authorization: Bearer TOKEN'",
            err=True,
        )
