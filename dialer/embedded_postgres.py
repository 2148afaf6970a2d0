"""The embedded PostgreSQL: pgserver's binaries, started and stopped by us.

pgserver's own start-up gives pg_ctl 10 s and, when that times out on a loaded machine, leaves a
half-started postmaster that the next command misreads (its postmaster.pid has no status line yet).
So we only take the binaries (and its helpers for running as root) and own the life cycle: a
generous start timeout, and a wait for "ready" when another command is mid-start.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import tempfile
import time
import warnings
from pathlib import Path

import psutil

START_TIMEOUT_S = 120
# Unix socket paths are limited to about 107 bytes; leave room for "/.s.PGSQL.5432".
_MAX_SOCKET_DIR = 90


class PostgresStartError(RuntimeError):
    pass


def _bin(name: str) -> str:
    import pgserver

    return str(Path(pgserver.__file__).parent / "pginstall" / "bin" / name)


def _run_as() -> str | None:
    """PostgreSQL refuses to run as root: pgserver's convention is a 'pgserver' system user."""
    if os.geteuid() != 0:
        return None
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # pgserver warns at import when XDG_RUNTIME_DIR is unset
        from pgserver.utils import ensure_user_exists

    ensure_user_exists("pgserver")
    return "pgserver"


def socket_dir(pgdata: Path) -> Path:
    if len(str(pgdata)) <= _MAX_SOCKET_DIR:
        return pgdata
    digest = hashlib.sha256(str(pgdata).encode()).hexdigest()[:12]
    return Path(tempfile.gettempdir()) / f"dialer-pg-{digest}"


def status(pgdata: Path) -> str | None:
    """None when no server runs on pgdata, else the postmaster's status (starting, ready, ...)."""
    pidfile = pgdata / "postmaster.pid"
    try:
        lines = pidfile.read_text().splitlines()
    except (FileNotFoundError, PermissionError):
        return None
    if not lines or not lines[0].strip().isdigit() or not psutil.pid_exists(int(lines[0])):
        return None
    # Line 8 is the status; it is written last, once the server accepts connections.
    return lines[7].strip() if len(lines) >= 8 else "starting"


MAX_CONNECTIONS = 500


def ensure_running(pgdata: Path) -> Path:
    """Start PostgreSQL on pgdata unless it runs; wait until it is ready. Returns the socket dir."""
    user = _run_as()
    if user is not None:
        from pgserver.utils import ensure_prefix_permissions

        pgdata.mkdir(parents=True, exist_ok=True)
        ensure_prefix_permissions(pgdata)
        import pwd

        entry = pwd.getpwnam(user)
        os.chown(pgdata, entry.pw_uid, entry.pw_gid)
    else:
        pgdata.mkdir(parents=True, exist_ok=True)
    sockets = socket_dir(pgdata)
    if not (pgdata / "PG_VERSION").exists():
        _run(
            [_bin("initdb"), "-D", str(pgdata), "--auth=trust", "-U", "postgres", "-E", "UTF8"],
            user,
        )
    if status(pgdata) is None:
        if sockets != pgdata:  # a shared directory the server user must be able to write
            sockets.mkdir(parents=True, exist_ok=True)
            sockets.chmod(0o777)
        _run(
            [
                _bin("pg_ctl"), "-D", str(pgdata), "-w", "-t", str(START_TIMEOUT_S),
                "-l", str(pgdata / "log"),
                # no TCP listener: the embedded server is reached through its unix socket only;
                # room for 200 lines of workers and more (dialer/connection_budget.py)
                "-o", f"-h '' -k {sockets} -c max_connections={MAX_CONNECTIONS}",
                "start",
            ],
            user,
        )  # fmt: skip
    deadline = time.monotonic() + START_TIMEOUT_S
    while status(pgdata) != "ready":
        if time.monotonic() > deadline:
            raise PostgresStartError(
                f"embedded PostgreSQL did not become ready; see {pgdata / 'log'}"
            )
        time.sleep(0.1)
    return sockets


def stop(pgdata: Path) -> None:
    if status(pgdata) is None:
        return
    _run([_bin("pg_ctl"), "-D", str(pgdata), "-w", "-t", "60", "-m", "fast", "stop"], _run_as())


def _run(command: list[str], user: str | None) -> None:
    done = subprocess.run(command, user=user, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        detail = (done.stderr or done.stdout).strip().splitlines()
        raise PostgresStartError(
            f"{Path(command[0]).name} failed: {detail[-1] if detail else done.returncode}"
        )
