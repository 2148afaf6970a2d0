"""`dialer robots`: a team of robot agents for the demo and benchmarks, in as few processes as
pjsua2 allows (4 robots each: one call per robot, 4 calls per process)."""

from __future__ import annotations

import tempfile
from pathlib import Path

import click

from campaigns.storage import campaign_store
from dialer.cli.runtime import Runtime
from dialer.softphone.provision import provision_robots, robot_children, robots_stop_timeout_s
from dialer.supervisor import Supervisor


@click.command()
@click.option("--count", type=click.IntRange(1, 400), default=4, show_default=True)
@click.option("--campaign", "campaigns", multiple=True, required=True, help="Campaign name.")
@click.option("--address", default="127.0.0.1", show_default=True, help="IP the robots use.")
@click.option("--api-url", envvar="DIALER_API_URL", help="Dashboard URL (default: settings).")
@click.option("--talk-mean", type=float, default=30.0, show_default=True)
@click.option("--talk-cv", type=float, default=0.5, show_default=True)
@click.option("--wrap-seconds", type=float, default=1.0, show_default=True)
@click.option("--dispositions", default="sale=1,not_interested=3,callback=1", show_default=True)
@click.option("--seed", type=int, default=1, show_default=True)
@click.pass_obj
def robots(
    runtime: Runtime,
    count: int,
    campaigns: tuple[str, ...],
    address: str,
    api_url: str | None,
    talk_mean: float,
    talk_cv: float,
    wrap_seconds: float,
    dispositions: str,
    seed: int,
) -> None:
    """Create (or reuse) agents robot-1..COUNT on the campaigns, give each a token and a port,
    and run them: they log in, go ready and take calls until SIGTERM (then log out)."""
    with runtime.connection() as conn:
        ids = tuple(campaign_store.find_campaign(conn, name).id for name in campaigns)
        made = provision_robots(conn, count, ids, address=address)
    settings = runtime.settings
    url = api_url or f"http://{settings.dashboard_host}:{settings.dashboard_port}"
    robot_args = [
        "--address", address, "--talk-mean", str(talk_mean), "--talk-cv", str(talk_cv),
        "--wrap-seconds", str(wrap_seconds), "--dispositions", dispositions, "--seed", str(seed),
    ]  # fmt: skip
    with tempfile.TemporaryDirectory(prefix="dialer-robots-") as work:
        children = robot_children(made, Path(work), url, robot_args)
        click.echo(f"{count} robots in {len(children)} processes; logs in {work}", err=True)
        Supervisor(children, stop_timeout_s=robots_stop_timeout_s(talk_mean)).run_until_signalled()
