"""The `dialer` command registry: every command, and how errors reach the user.

Errors the user can fix (bad settings, bad input, unknown names, unreachable servers) print one
line and exit non-zero; a traceback means a bug.
"""

from __future__ import annotations

import logging
import sys

import click

from campaigns.errors import CampaignsError
from campaigns.storage.db import DatabaseUnavailable
from dialer.bootstrap import RedisUnavailable
from dialer.cli.agent import agent
from dialer.cli.bench import bench
from dialer.cli.campaign import campaign
from dialer.cli.carrier import carrier
from dialer.cli.dashboard import dashboard
from dialer.cli.db import db
from dialer.cli.demo import demo
from dialer.cli.dnc import dnc
from dialer.cli.inbound import inbound
from dialer.cli.lists import lists
from dialer.cli.robots import robots
from dialer.cli.runtime import Runtime, SchemaOutdated
from dialer.cli.scheduler import scheduler
from dialer.cli.services import services
from dialer.cli.softphone import softphone
from dialer.cli.trunk import trunk
from dialer.cli.user import user
from dialer.cli.workers import workers
from dialer.embedded import EmbeddedServiceError
from dialer.settings import SettingsError, load_settings

# Errors that mean "fix your input or your environment", not "report a bug".
USER_ERRORS = (
    SettingsError,
    CampaignsError,
    DatabaseUnavailable,
    RedisUnavailable,
    EmbeddedServiceError,
    SchemaOutdated,
)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.pass_context
def cli(ctx: click.Context) -> None:
    """Predictive dialer: campaigns, lists, pacing, SIP workers and the dashboard."""
    settings = load_settings()
    logging.basicConfig(
        level=settings.log_level,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
        stream=sys.stderr,
    )
    ctx.obj = Runtime(settings)


for command in (
    db,
    campaign,
    trunk,
    services,
    user,
    dashboard,
    bench,
    agent,
    workers,
    inbound,
    scheduler,
    carrier,
    softphone,
    robots,
    lists,
    dnc,
    demo,
):
    cli.add_command(command)


def main(argv: list[str] | None = None) -> int:
    try:
        cli.main(args=argv, prog_name="dialer", standalone_mode=False)
    except click.exceptions.Exit as done:
        return int(done.exit_code)
    except click.exceptions.Abort:
        click.echo("aborted", err=True)
        return 130
    except click.ClickException as error:
        click.echo(f"error: {error.format_message()}", err=True)
        return error.exit_code
    except USER_ERRORS as error:
        click.echo(f"error: {error}", err=True)
        return 1
    return 0
