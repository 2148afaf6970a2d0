"""`dialer bench ...`: benchmarks that write their figures to files."""

from __future__ import annotations

import click

from dialer.bench.pacing import pacing_command
from dialer.bench.pacing_grid import pacing_grid_command


@click.group("bench")
def bench() -> None:
    """Benchmarks (figures go to bench/results/, nothing here is timed in tests)."""


bench.add_command(pacing_command)
bench.add_command(pacing_grid_command)
