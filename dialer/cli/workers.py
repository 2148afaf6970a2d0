"""`dialer workers --lines N`: the Celery worker processes that place calls, supervised."""

from __future__ import annotations

import logging
import math
import socket
import sys

import click

from campaigns.storage.server_store import connection_slots
from dialer.cli.runtime import Runtime
from dialer.connection_budget import ConnectionBudgetExceeded, check_worker_connections
from dialer.supervisor import ChildSpec, Supervisor

log = logging.getLogger(__name__)

ATTEMPTS_PER_PROCESS = 2


def worker_specs(lines: int, first_index: int = 0, log_dir: str | None = None) -> list[ChildSpec]:
    """ceil(lines / 2) Celery workers, each one process with one pjsua2 endpoint (4 legs: two
    attempts of customer + agent), a threads pool of 2 and no prefetch (workers/app.py says why)."""
    specs = []
    for index in range(first_index, first_index + math.ceil(lines / ATTEMPTS_PER_PROCESS)):
        specs.append(
            ChildSpec(
                name=f"worker-{index}",
                argv=[
                    sys.executable, "-m", "celery", "-A", "workers.app", "worker",
                    "-P", "threads", "-c", str(ATTEMPTS_PER_PROCESS),
                    "--prefetch-multiplier", "1",
                    "-n", f"dialer-{index}@{socket.gethostname()}",
                    "-Q", "dials",
                    "--without-gossip", "--without-mingle", "--without-heartbeat",
                    "-l", "INFO",
                ],
                env={"DIALER_WORKER_INDEX": str(index)},
                log_path=f"{log_dir}/worker-{index}.log" if log_dir else None,
            )
        )  # fmt: skip
    return specs


@click.command()
@click.option(
    "--lines",
    type=click.IntRange(1, 2000),
    default=4,
    show_default=True,
    help="Calls to carry at once (two per worker process).",
)
@click.option(
    "--first-index",
    type=int,
    default=0,
    show_default=True,
    help="Index of the first process (SIP port = base + index), for several hosts.",
)
@click.option(
    "--grace",
    type=float,
    default=60.0,
    show_default=True,
    help="Seconds connected calls may go on after SIGTERM before they are hung up.",
)
@click.pass_obj
def workers(runtime: Runtime, lines: int, first_index: int, grace: float) -> None:
    """Start and supervise the worker processes; SIGTERM stops them gracefully."""
    runtime.services()  # embedded servers started (or joined) and their URLs exported
    check_database_room(runtime, math.ceil(lines / ATTEMPTS_PER_PROCESS))
    specs = [
        ChildSpec(s.name, s.argv, {**s.env, "DIALER_WORKER_GRACE_S": str(grace)}, s.restart)
        for s in worker_specs(lines, first_index)
    ]
    click.echo(f"starting {len(specs)} worker processes for {lines} lines", err=True)
    Supervisor(specs, stop_timeout_s=grace + 15).run_until_signalled()


def check_database_room(runtime: Runtime, processes: int) -> None:
    """Refuse to start workers PostgreSQL cannot all connect; warn when peaks would wait."""
    with runtime.connection() as conn:
        try:
            budget = check_worker_connections(connection_slots(conn), processes)
        except ConnectionBudgetExceeded as error:
            raise click.ClickException(str(error)) from error
    if budget.warning:
        click.echo(f"warning: {budget.warning}", err=True)
