"""`dialer agent`: agents, their live state, and the console's actions for scripts and robots."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime

import click

from campaigns.agents import Agent, AgentSpec, AgentState, validate_agent
from campaigns.errors import NotFound, ValidationError
from campaigns.passwords import hash_password
from campaigns.storage import agent_store, campaign_store, user_store
from campaigns.storage.db import Connection
from campaigns.users import validate_password, validate_username
from dialer.agents.dispositions import submit_disposition, submit_inbound_disposition
from dialer.agents.model import LiveStatus
from dialer.agents.service import AgentService, OneConnection
from dialer.bootstrap import redis_client
from dialer.cli.output import emit_fields, emit_json, emit_table
from dialer.cli.runtime import Runtime
from dialer.preview import release_preview

# A hash no password matches: the login stays locked until a password is set (dashboard, users).
LOCKED_PASSWORD = "!"


@contextmanager
def _service(runtime: Runtime) -> Iterator[tuple[AgentService, Connection]]:
    with runtime.connection() as conn:
        service = AgentService(redis_client(runtime.services().redis_url), OneConnection(conn))
        service.ensure_built(datetime.now(UTC))
        yield service, conn


def _agent(conn: Connection, username: str) -> Agent:
    agent = agent_store.agent_for_user(conn, user_store.find_user(conn, username).id)
    if agent is None:
        raise NotFound(f"user {username!r} is not an agent")
    return agent


def _campaign_ids(conn: Connection, names: tuple[str, ...]) -> list[int]:
    return [campaign_store.find_campaign(conn, name).id for name in names]


def _live(status: LiveStatus, username: str, now: datetime) -> dict[str, object]:
    after = status.after_call
    return {
        "agent_id": status.agent_id,
        "username": username,
        "state": status.state.value,
        "seconds": round(max(0.0, (now - status.since).total_seconds()), 1),
        "since": status.since,
        "reason": status.reason,
        "attempt_id": status.attempt_id,
        "call_campaign_id": status.call_campaign_id,
        "campaigns": sorted(status.campaigns),
        "after_call": None if after is None else (after.reason or after.state.value),
    }


@click.group()
def agent() -> None:
    """Agents: their softphones and campaigns, live states, and console actions."""


@agent.command()
@click.argument("username")
@click.option("--sip-uri", required=True, help="The agent's softphone, e.g. sip:alice@10.0.0.7.")
@click.option("--campaign", "campaigns", multiple=True, help="A campaign they may work; repeat.")
@click.option("--display-name", default="", help="The name pages show.")
@click.option(
    "--password-stdin",
    is_flag=True,
    help="Read the dashboard password from standard input (else the login stays locked).",
)
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")
@click.pass_obj
def create(
    runtime: Runtime,
    username: str,
    sip_uri: str,
    campaigns: tuple[str, ...],
    display_name: str,
    password_stdin: bool,
    as_json: bool,
) -> None:
    """Create an agent: a user with the agent role, a softphone and the campaigns to work."""
    validate_username(username)
    password_hash = LOCKED_PASSWORD
    if password_stdin:
        password_hash = hash_password(validate_password(sys.stdin.readline().rstrip("\n")))
    with runtime.connection() as conn:
        spec = validate_agent(
            AgentSpec(sip_uri=sip_uri, campaign_ids=tuple(_campaign_ids(conn, campaigns)))
        )
        made = agent_store.insert_agent(conn, username, display_name, password_hash, spec)
    data = {
        "id": made.id,
        "username": made.username,
        "sip_uri": made.spec.sip_uri,
        "campaigns": list(campaigns),
        "login": "password set" if password_stdin else "locked until a password is set",
    }
    emit_json(data) if as_json else emit_fields(data)


@agent.command(name="list")
@click.option("--json", "as_json", is_flag=True, help="Print a JSON array.")
@click.pass_obj
def list_(runtime: Runtime, as_json: bool) -> None:
    """Every agent with their softphone, campaigns and live state."""
    with _service(runtime) as (service, conn):
        names = {c.id: c.name for c in campaign_store.list_campaigns(conn)}
        rows = []
        for found in agent_store.list_agents(conn):
            status = service.status(found.id)
            rows.append(
                {
                    "id": found.id,
                    "username": found.username,
                    "sip_uri": found.spec.sip_uri,
                    "campaigns": [names[c] for c in found.spec.campaign_ids],
                    "disabled": found.disabled,
                    "state": status.state.value,
                    "reason": status.reason,
                    "since": None if status.state is AgentState.LOGGED_OUT else status.since,
                }
            )
    if as_json:
        emit_json(rows)
    else:
        emit_table(rows, ["id", "username", "sip_uri", "campaigns", "state", "reason"])


@agent.command()
@click.option("--campaign", help="Only the agents working this campaign.")
@click.option("--json", "as_json", is_flag=True, help="Print a JSON array.")
@click.pass_obj
def state(runtime: Runtime, campaign: str | None, as_json: bool) -> None:
    """The live state of every logged-in agent (from Redis)."""
    now = datetime.now(UTC)
    with _service(runtime) as (service, conn):
        wanted = campaign_store.find_campaign(conn, campaign).id if campaign else None
        rows = [
            _live(status, profile.username, now)
            for profile, status in service.live.logged_in()
            if wanted is None or wanted in status.campaigns
        ]
    if as_json:
        emit_json(rows)
    else:
        emit_table(
            rows,
            ["username", "state", "seconds", "reason", "attempt_id", "campaigns", "after_call"],
        )


@agent.command()
@click.argument("username")
@click.option("--campaign", "campaigns", multiple=True, help="Work only these; default: all.")
@click.option("--json", "as_json", is_flag=True)
@click.pass_obj
def login(runtime: Runtime, username: str, campaigns: tuple[str, ...], as_json: bool) -> None:
    """Log an agent in (paused until `ready`)."""
    now = datetime.now(UTC)
    with _service(runtime) as (service, conn):
        found = _agent(conn, username)
        ids = _campaign_ids(conn, campaigns) if campaigns else None
        _emit(_live(service.login(found.id, now, ids), username, now), as_json)


@agent.command()
@click.argument("username")
@click.option("--json", "as_json", is_flag=True)
@click.pass_obj
def ready(runtime: Runtime, username: str, as_json: bool) -> None:
    """Make an agent ready for calls (or withdraw a pause asked for during a call)."""
    now = datetime.now(UTC)
    with _service(runtime) as (service, conn):
        _emit(_live(service.ready(_agent(conn, username).id, now), username, now), as_json)


@agent.command()
@click.argument("username")
@click.option("--reason", default="break", show_default=True, help="A pause code.")
@click.option("--json", "as_json", is_flag=True)
@click.pass_obj
def pause(runtime: Runtime, username: str, reason: str, as_json: bool) -> None:
    """Pause an agent (after their current call, if they hold one)."""
    now = datetime.now(UTC)
    with _service(runtime) as (service, conn):
        agent_id = _agent(conn, username).id
        service.pause(agent_id, reason, now)
        release_preview(service, agent_id, now)  # a previewed contact goes back at once
        _emit(_live(service.status(agent_id), username, now), as_json)


@agent.command()
@click.argument("username")
@click.option("--json", "as_json", is_flag=True)
@click.pass_obj
def logout(runtime: Runtime, username: str, as_json: bool) -> None:
    """Log an agent out (after their current call, if they hold one)."""
    now = datetime.now(UTC)
    with _service(runtime) as (service, conn):
        agent_id = _agent(conn, username).id
        service.logout(agent_id, now)
        release_preview(service, agent_id, now)
        _emit(_live(service.status(agent_id), username, now), as_json)


@agent.command()
@click.argument("username")
@click.argument("attempt_id", type=int)
@click.argument("code")
@click.option("--notes", default="")
@click.option("--callback-at", help="ISO 8601 time with zone, for a callback disposition.")
@click.option("--for-me", is_flag=True, help="The callback is for this agent only.")
@click.option("--move-into-window", is_flag=True, help="Move a callback into the calling hours.")
@click.option("--pause", "pause_reason", help="Pause afterwards with this code, not ready.")
@click.option("--inbound", is_flag=True, help="ATTEMPT_ID is an inbound call's id.")
@click.option("--json", "as_json", is_flag=True)
@click.pass_obj
def disposition(
    runtime: Runtime,
    username: str,
    attempt_id: int,
    code: str,
    notes: str,
    callback_at: str | None,
    for_me: bool,
    move_into_window: bool,
    pause_reason: str | None,
    inbound: bool,
    as_json: bool,
) -> None:
    """Submit the disposition of an agent's call (an outbound attempt, or with --inbound an
    inbound call); the agent then leaves wrap-up."""
    now = datetime.now(UTC)
    when = _time(callback_at) if callback_at else None
    submit = submit_inbound_disposition if inbound else submit_disposition
    with _service(runtime) as (service, conn):
        done = submit(
            service,
            attempt_id,
            _agent(conn, username).id,
            code,
            now,
            notes=notes,
            callback_at=when,
            callback_for_me=for_me,
            move_callback_into_window=move_into_window,
            pause_reason=pause_reason,
        )
    change = done.recorded.contact
    data: dict[str, object] = {
        "attempt_id": done.recorded.attempt_id,
        "inbound_call_id": attempt_id if inbound else None,
        "disposition": code,
        "action": done.recorded.disposition.action.value,
        "contact_state": change.state.value if change else None,
        "next_eligible_at": change.next_eligible_at if change else None,
        "callback_moved_from": change.moved_from if change else None,
        "added_to_dnc": done.recorded.added_to_dnc,
        "agent_state": done.agent.state.value,
    }
    _emit(data, as_json)


@agent.command()
@click.option("--json", "as_json", is_flag=True)
@click.pass_obj
def sweep(runtime: Runtime, as_json: bool) -> None:
    """Run the scheduler's agent duties once: rebuild, history backlog, wrap-up limits."""
    with _service(runtime) as (service, _):
        report = service.tick(datetime.now(UTC))
    _emit(
        {
            "rebuilt": report.rebuilt,
            "history_written": report.history_written,
            "wrap_ups_expired": report.wrap_ups_expired,
        },
        as_json,
    )


def _time(text: str) -> datetime:
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise ValidationError([f"callback_at: {text!r} is not an ISO 8601 time"]) from None
    if moment.tzinfo is None:
        raise ValidationError([f"callback_at: {text!r} needs a zone, e.g. +00:00 or Z"])
    return moment


def _emit(data: dict[str, object], as_json: bool) -> None:
    emit_json(data) if as_json else emit_fields(data)
