"""`dialer bench`: benchmarks whose figures are committed under bench/results/.

Each subcommand lives with its subject (dialer/bench/<name>.py) and is attached here.
"""

from __future__ import annotations

import click

from dialer.bench.reports import reports_bench


@click.group()
def bench() -> None:
    """Benchmarks (figures printed, or written as JSON with --json)."""


bench.add_command(reports_bench)
