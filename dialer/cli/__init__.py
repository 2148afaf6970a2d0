"""The `dialer` command: one entry point for every process and management task.

The command registry is `dialer.cli.app`, imported when the command runs. Importing this package
(as benches and workers do for `dialer.cli.runtime`) must not import every command: a bench that
a command imports would then import itself halfway through (a circular import).
"""

from __future__ import annotations


def main(argv: list[str] | None = None) -> int:
    from dialer.cli.app import main as run

    return run(argv)
