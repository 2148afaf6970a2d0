"""`dialer bench`: benchmarks that print JSON; their latest results live in bench/results/.

Nothing here is timed in tests: figures are measured by these commands and committed.
"""

from __future__ import annotations

import click

from dialer.bench.amd import amd_command
from dialer.bench.amd_calls import amd_calls_command
from dialer.bench.import_bench import import_command
from dialer.bench.inbound_load import inbound_command
from dialer.bench.live_pacing import live_pacing_command
from dialer.bench.pacing import pacing_command
from dialer.bench.pacing_grid import pacing_grid_command
from dialer.bench.reports import reports_bench
from dialer.bench.scheduler_tick import scheduler_command
from dialer.cli.child import module_command, run_child
from dialer.cli.runtime import Runtime


@click.group()
def bench() -> None:
    """Benchmarks (pacing, live pacing, import, calls, reports, AMD); each prints JSON."""


bench.add_command(amd_command)
bench.add_command(amd_calls_command)
bench.add_command(import_command)
bench.add_command(inbound_command)
bench.add_command(live_pacing_command)
bench.add_command(pacing_command)
bench.add_command(pacing_grid_command)
bench.add_command(reports_bench)
bench.add_command(scheduler_command)


@bench.command(
    name="calls", context_settings={"ignore_unknown_options": True, "allow_extra_args": True}
)
@click.pass_context
def calls(ctx: click.Context) -> None:
    """Real workers against a sipp carrier: `dialer bench calls --lines N --seconds S --json`.

    Runs workers/bench_calls.py (it needs Celery) with the servers of this command.
    """
    runtime: Runtime = ctx.obj
    runtime.services()
    run_child(module_command("workers.bench_calls", *ctx.args))
