"""`dialer demo`: the whole product on one machine, until Ctrl-C.

Embedded PostgreSQL and Redis (or the configured ones), the demo campaign and its list, a
simulated carrier (sipp), the workers, the scheduler, the dashboard and a team of robot agents,
each a child process under one supervisor. A line of progress every few seconds; Ctrl-C stops
every process it started, pauses the campaign and leaves the data for the reports.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime

import click

from campaigns.campaign import CampaignState
from campaigns.storage import campaign_store
from campaigns.storage.progress_store import Progress, campaign_progress
from dialer.cli.demo_floor import FloorOptions, lines_for, run_for, start_floor
from dialer.cli.runtime import Runtime
from dialer.demo.setup import ADMIN, prepare
from dialer.softphone.provision import provision_robots, robots_stop_timeout_s
from dialer.supervisor import Supervisor
from dialer.telephony.ports import free_udp_port

PROGRESS_EVERY_S = 5.0


def _line(progress: Progress, elapsed: float) -> str:
    rate = progress.abandon_rate
    occupancy = progress.occupancy
    return (
        f"{elapsed / 60:5.1f} min  placed {progress.placed:5d}  answered {progress.answered:5d}  "
        f"connected {progress.connected:5d}  abandoned {progress.abandoned:3d}"
        f" ({'-' if rate is None else f'{rate:.1%}'})  machines {progress.machines:4d}  "
        f"in progress {progress.in_progress:3d}  occupancy "
        f"{'-' if occupancy is None else f'{occupancy:.0%}'}"
    )


@click.command()
@click.option("--agents", type=click.IntRange(1, 40), default=5, show_default=True)
@click.option(
    "--numbers",
    type=click.IntRange(50, 200_000),
    default=3000,
    show_default=True,
    help="Contacts in the generated list (first run only).",
)
@click.option(
    "--minutes",
    type=float,
    default=0,
    show_default=True,
    help="Stop after this long; 0 runs until Ctrl-C.",
)
@click.option(
    "--answer-rate",
    type=click.FloatRange(0.05, 0.95),
    default=0.45,
    show_default=True,
    help="Share of calls a person answers at the simulated carrier.",
)
@click.option(
    "--talk-mean",
    type=float,
    default=25.0,
    show_default=True,
    help="Robot agents' mean talk time in seconds.",
)
@click.option("--port", type=int, help="Dashboard port (DIALER_DASHBOARD_PORT, 8050).")
@click.pass_obj
def demo(
    runtime: Runtime,
    agents: int,
    numbers: int,
    minutes: float,
    answer_rate: float,
    talk_mean: float,
    port: int | None,
) -> None:
    """Run the demo campaign: carrier, workers, scheduler, dashboard and robot agents."""
    settings = runtime.settings
    logs = settings.data_dir / "demo" / "logs"
    logs.mkdir(parents=True, exist_ok=True)
    click.echo("starting the embedded servers and preparing the demo data...", err=True)
    services = runtime.services()
    carrier_port = free_udp_port()
    host, dashboard_port = settings.dashboard_host, port or settings.dashboard_port
    url = f"http://{host}:{dashboard_port}"
    with runtime.connection() as conn:
        setup = prepare(
            conn,
            services.database_url,
            settings.data_dir,
            carrier_uri=f"sip:{{number}}@127.0.0.1:{carrier_port}",
            numbers=numbers,
        )
        robots = provision_robots(conn, agents, (setup.campaign.id,))
        campaign_store.set_campaign_state(conn, setup.campaign.id, CampaignState.RUNNING)
    lines = lines_for(agents)
    options = FloorOptions(carrier_port, host, dashboard_port, answer_rate, talk_mean, logs)
    supervisor: Supervisor | None = None
    try:
        supervisor = start_floor(robots, options)
        click.echo(
            f"\n  dashboard  {url}\n  login      {ADMIN} / {setup.admin_password}\n"
            f"  campaign   {setup.campaign.name} ({agents} robot agents, {lines} lines,"
            f" answer rate {answer_rate:.0%})\n  logs       {logs}\n"
            f"  Ctrl-C stops everything; the data stays for the reports.\n",
            err=True,
        )
        _run(runtime, supervisor, setup.campaign.id, minutes)
    finally:
        try:
            # Paused first, so the scheduler places no new calls while the robots finish
            # theirs (a call answered after its agent logged out would be abandoned).
            with runtime.connection() as conn:
                campaign_store.set_campaign_state(conn, setup.campaign.id, CampaignState.PAUSED)
        finally:
            if supervisor is not None:
                click.echo(
                    "stopping: robot agents finish their calls and dispositions"
                    f" (up to {robots_stop_timeout_s(talk_mean):.0f} s), then the rest",
                    err=True,
                )
                supervisor.stop()
        click.echo("demo stopped; the campaign is paused and its data kept", err=True)


def _run(runtime: Runtime, supervisor: Supervisor, campaign_id: int, minutes: float) -> None:
    started = datetime.now(UTC)
    next_line = time.monotonic()

    def tick() -> None:
        nonlocal next_line
        if time.monotonic() >= next_line:
            with runtime.connection() as conn:
                progress = campaign_progress(conn, campaign_id, started, datetime.now(UTC))
            click.echo(_line(progress, (datetime.now(UTC) - started).total_seconds()), err=True)
            next_line = time.monotonic() + PROGRESS_EVERY_S

    run_for(supervisor, minutes, tick)
