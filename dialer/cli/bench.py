"""`dialer bench`: benchmarks that print JSON; their latest results live in bench/results/."""

from __future__ import annotations

import click

from dialer.bench.amd import amd_command


@click.group()
def bench() -> None:
    """Benchmarks (pacing, import, calls, reports, AMD); each prints JSON."""


bench.add_command(amd_command)
