"""Running a process entry point of workers/ or dashboard/ as a child of a `dialer` command.

The `dialer` package imports neither Celery nor Flask; the commands that need them start a child
process with the URLs of the (possibly embedded) servers in its environment, forward signals to
it, and outlive it so that they can drop their lease on the embedded servers at exit.
"""

from __future__ import annotations

import signal
import subprocess
import sys
from types import FrameType

import click


def module_command(module: str, *args: str) -> list[str]:
    return [sys.executable, "-m", module, *args]


def run_child(command: list[str]) -> None:
    child = subprocess.Popen(command)

    def forward(signum: int, _frame: FrameType | None) -> None:
        child.send_signal(signum)

    for signum in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        signal.signal(signum, forward)
    code = child.wait()
    if code:
        raise click.exceptions.Exit(code)
