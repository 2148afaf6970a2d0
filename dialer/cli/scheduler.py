"""`dialer scheduler`: the pacing loop (one leader; start several for fail-over)."""

from __future__ import annotations

import click

from dialer.cli.child import module_command, run_child
from dialer.cli.runtime import Runtime


@click.command()
@click.pass_obj
def scheduler(runtime: Runtime) -> None:
    """Pace every running campaign and place its calls; SIGTERM stops it.

    Several may run: one leads (a Redis lease with a PostgreSQL fencing token), the others take
    over within seconds when it dies. It runs workers/scheduler.py, which hands calls to Celery.
    """
    with runtime.connection():  # embedded servers up, schema checked, URLs exported
        pass
    run_child(module_command("workers.scheduler"))
