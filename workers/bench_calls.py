"""`dialer bench calls` runs here: it needs Celery to hand attempts to the workers."""

from __future__ import annotations

import json
import shutil
import tempfile
from pathlib import Path

import click

from dialer.bench.calls import run_calls_bench
from dialer.cli.runtime import Runtime
from workers.enqueue import CeleryDialSender


@click.command(name="calls")
@click.option("--lines", type=click.IntRange(1, 1000), default=10, show_default=True)
@click.option("--seconds", type=float, default=60, show_default=True)
@click.option("--json", "as_json", is_flag=True, help="Print the result as one line of JSON.")
@click.option(
    "--output", type=click.Path(dir_okay=False, path_type=Path), help="Also write it here."
)
@click.option("--keep-logs", is_flag=True, help="Keep sipp's and the workers' logs.")
def main(lines: int, seconds: float, as_json: bool, output: Path | None, keep_logs: bool) -> None:
    """Place calls on every line for SECONDS against a sipp carrier and check every outcome."""
    runtime = Runtime()
    sender = CeleryDialSender(runtime.services().redis_url)
    workdir = Path(tempfile.mkdtemp(prefix="dialer-bench-calls-"))
    try:
        result = run_calls_bench(runtime, sender, lines, seconds, workdir)
    finally:
        if keep_logs:
            click.echo(f"logs in {workdir}", err=True)
        else:
            shutil.rmtree(workdir, ignore_errors=True)
    if output:
        output.write_text(json.dumps(result, indent=2) + "\n")
    click.echo(json.dumps(result) if as_json else json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
