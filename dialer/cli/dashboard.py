"""`dialer dashboard`: the Flask dashboard under gunicorn, as a child process.

The `dialer` package never imports Flask (import-linter checks it), so this command only builds a
gunicorn command line naming the app factory `dashboard.wsgi:create_wsgi_app()`. Each gunicorn
worker calls the factory after the fork, so every worker opens its own database pool.

Worker model: gthread. The wallboard streams server-sent events, and a streaming response holds
its thread for as long as the page is open; gthread gives each worker a pool of threads (and its
heartbeat runs beside them, so a long stream is not mistaken for a hung worker as it would be with
sync workers). gevent would hold more connections per worker, but it monkey-patches sockets under
psycopg and redis-py; for tens of supervisors' screens, threads are simpler and enough. Every open
wallboard costs one thread: raise --threads with the number of screens.
"""

from __future__ import annotations

import click

from dialer.cli.child import run_child
from dialer.cli.runtime import Runtime
from dialer.dashboard_process import gunicorn_command


@click.command()
@click.option("--host", help="Address to listen on (DIALER_DASHBOARD_HOST, 127.0.0.1).")
@click.option("--port", type=int, help="Port (DIALER_DASHBOARD_PORT, 8050).")
@click.option("--workers", type=click.IntRange(1, 64), default=2, show_default=True)
@click.option(
    "--threads",
    type=click.IntRange(2, 1000),
    default=32,
    show_default=True,
    help="Threads per worker; each open wallboard holds one.",
)
@click.pass_obj
def dashboard(
    runtime: Runtime, host: str | None, port: int | None, workers: int, threads: int
) -> None:
    """Serve the dashboard (management pages, agent console, wallboard, reports, JSON API)."""
    # Starts or joins the embedded servers and exports their URLs to the child; the schema check
    # fails here with one line instead of in every worker.
    with runtime.connection():
        pass
    settings = runtime.settings
    command = gunicorn_command(
        host or settings.dashboard_host, port or settings.dashboard_port, workers, threads
    )
    run_child(command)
