"""The dashboard as a child process: the gunicorn command line naming the app factory.

Shared by `dialer dashboard` and the benches that need the agent API (robots); kept out of
`dialer.cli` so code that is not a command (benches) does not import the command registry.
"""

from __future__ import annotations

import sys

APP = "dashboard.wsgi:create_wsgi_app()"


def gunicorn_command(host: str, port: int, workers: int, threads: int) -> list[str]:
    return [
        sys.executable, "-m", "gunicorn",
        "--worker-class", "gthread",
        "--workers", str(workers),
        "--threads", str(threads),
        "--bind", f"{host}:{port}",
        # Slow clients and idle keep-alive connections must not pin threads for long.
        "--keep-alive", "5",
        "--graceful-timeout", "10",
        "--access-logfile", "-",
        "--access-logformat", '%(h)s "%(r)s" %(s)s %(b)s %(M)sms',
        *_no_control_socket(),
        APP,
    ]  # fmt: skip


def _no_control_socket() -> list[str]:
    """gunicorn 24+ opens a control socket at one fixed path per user; two dashboards on a host
    (tests, a demo beside a real one) would fight over it, and we do not use it."""
    from gunicorn.config import KNOWN_SETTINGS

    known = {setting.name for setting in KNOWN_SETTINGS}
    return ["--no-control-socket"] if "control_socket_disable" in known else []
