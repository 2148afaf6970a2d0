"""`dialer demo`: the whole product on one machine, until Ctrl-C.

Embedded PostgreSQL and Redis (or the configured ones), the demo campaign and its list, a
simulated carrier (sipp), the workers, the scheduler, the dashboard and a team of robot agents,
each a child process under one supervisor. A line of progress every few seconds; Ctrl-C stops
every process it started, pauses the campaign and leaves the data for the reports.
"""

from __future__ import annotations

import sys
import time
import urllib.error
import urllib.request
from datetime import UTC, datetime

import click

from campaigns.campaign import CampaignState
from campaigns.storage import campaign_store
from campaigns.storage.progress_store import Progress, campaign_progress
from dialer.cli.runtime import Runtime
from dialer.cli.workers import worker_specs
from dialer.demo.setup import ADMIN, prepare
from dialer.softphone.provision import provision_robots, robot_children
from dialer.supervisor import ChildSpec, Supervisor
from dialer.telephony.ports import free_udp_port

PROGRESS_EVERY_S = 5.0
# Workers' RTP ports start here; robots take theirs below it, so the two never meet.
WORKER_RTP_BASE = 40000


def _dialer(*args: str) -> list[str]:
    return [sys.executable, "-m", "dialer", *args]


def _wait_for_dashboard(url: str, supervisor: Supervisor, timeout: float = 90) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        supervisor.poll()
        try:
            with urllib.request.urlopen(f"{url}/healthz", timeout=2) as answer:
                if answer.status == 200:
                    return
        except (urllib.error.URLError, OSError):
            pass
        time.sleep(0.5)
    raise click.ClickException(f"the dashboard did not come up at {url}; see its log")


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
    lines = agents * 2 + 2
    worker_env = {
        "DIALER_SIP_PORT_BASE": str(free_udp_port(block=(lines + 1) // 2)),
        "DIALER_RTP_PORT_BASE": str(WORKER_RTP_BASE),
        "DIALER_RTP_PORTS_PER_PROCESS": "8",
    }
    carrier = ChildSpec(
        "carrier",
        _dialer("carrier", "--scenario", "demo", "--answer-rate", str(answer_rate),
                "--port", str(carrier_port)),
        log_path=str(logs / "carrier.log"),
    )  # fmt: skip
    workers = [
        ChildSpec(s.name, s.argv, {**s.env, **worker_env}, log_path=str(logs / f"{s.name}.log"))
        for s in worker_specs(lines)
    ]
    core = [
        carrier,
        *workers,
        ChildSpec("scheduler", _dialer("scheduler"), log_path=str(logs / "scheduler.log")),
        ChildSpec("dashboard", _dialer("dashboard", "--port", str(dashboard_port)),
                  log_path=str(logs / "dashboard.log")),
    ]  # fmt: skip
    supervisor = Supervisor(core, stop_timeout_s=45)
    supervisor.start()
    try:
        _wait_for_dashboard(url, supervisor)
        robot_args = ["--talk-mean", str(talk_mean), "--talk-cv", "0.6", "--wrap-seconds", "3"]
        team = robot_children(
            robots, logs / "robots", url, robot_args, rtp_ports=(20000, WORKER_RTP_BASE - 1)
        )
        supervisor.add(team)
        click.echo(
            f"\n  dashboard  {url}\n  login      {ADMIN} / {setup.admin_password}\n"
            f"  campaign   {setup.campaign.name} ({agents} robot agents, {lines} lines,"
            f" answer rate {answer_rate:.0%})\n  logs       {logs}\n"
            f"  Ctrl-C stops everything; the data stays for the reports.\n",
            err=True,
        )
        _run(runtime, supervisor, setup.campaign.id, minutes)
    finally:
        supervisor.stop()
        with runtime.connection() as conn:
            campaign_store.set_campaign_state(conn, setup.campaign.id, CampaignState.PAUSED)
        click.echo("demo stopped; the campaign is paused and its data kept", err=True)


def _run(runtime: Runtime, supervisor: Supervisor, campaign_id: int, minutes: float) -> None:
    started = datetime.now(UTC)
    deadline = time.monotonic() + minutes * 60 if minutes else None
    next_line = time.monotonic()

    def tick() -> None:
        nonlocal next_line
        if time.monotonic() >= next_line:
            with runtime.connection() as conn:
                progress = campaign_progress(conn, campaign_id, started, datetime.now(UTC))
            click.echo(_line(progress, (datetime.now(UTC) - started).total_seconds()), err=True)
            next_line = time.monotonic() + PROGRESS_EVERY_S
        if deadline is not None and time.monotonic() >= deadline:
            raise _TimeUp

    try:
        supervisor.run_until_signalled(on_tick=tick)
    except _TimeUp:
        return


class _TimeUp(Exception):
    """The --minutes asked for have passed."""
