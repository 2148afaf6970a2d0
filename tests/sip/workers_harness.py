"""Real worker processes (`dialer workers`) for sip-tier tests, and ways to feed and watch them."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import redis

from campaigns.storage import attempt_store
from campaigns.storage.db import Connection
from dialer import worker_registry
from dialer.telephony.endpoint_config import RTP_PORT_BLOCK
from dialer.telephony.ports import TEST_RTP_RANGE, free_udp_port
from workers.app import create_app


@dataclass
class Workers:
    process: subprocess.Popen[bytes]
    redis_url: str
    log_path: Path

    def live(self) -> list[worker_registry.WorkerStatus]:
        return worker_registry.live_workers(redis.Redis.from_url(self.redis_url))

    def wait_ready(self, count: int, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while len(self.live()) < count:
            if self.process.poll() is not None or time.monotonic() > deadline:
                raise AssertionError(
                    f"workers did not come up:\n{self.log_path.read_text()[-3000:]}"
                )
            time.sleep(0.2)

    def worker_pids(self) -> list[int]:
        return [w.pid for w in self.live()]

    def stop(self, timeout: float = 90) -> int:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
        return self.process.wait(timeout=timeout)


@contextmanager
def running_workers(
    env: dict[str, str], lines: int, tmp: Path, grace: float = 10
) -> Iterator[Workers]:
    log_path = tmp / "workers.log"
    processes = (lines + 1) // 2
    rtp_per_process = RTP_PORT_BLOCK
    full_env = {
        **os.environ,
        **env,
        "DIALER_SIP_PORT_BASE": str(free_udp_port(block=processes)),
        "DIALER_RTP_PORT_BASE": str(
            free_udp_port(*TEST_RTP_RANGE, block=processes * rtp_per_process)
        ),
        "DIALER_RTP_PORTS_PER_PROCESS": str(rtp_per_process),
    }
    with log_path.open("wb") as out:
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "dialer",
                "workers",
                "--lines",
                str(lines),
                "--grace",
                str(grace),
            ],
            env=full_env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    workers = Workers(process, env["REDIS_URL"], log_path)
    try:
        workers.wait_ready(count=(lines + 1) // 2)
        yield workers
    finally:
        try:
            workers.stop()
        except subprocess.TimeoutExpired:
            process.kill()


def queue_attempts(
    db: Connection, campaign_id: int, contact_ids: list[int], expires_s: float = 60
) -> list[int]:
    now = datetime.now(UTC)
    with db.transaction():
        db.execute("UPDATE contacts SET state = 'in_flight' WHERE id = ANY(%s)", (contact_ids,))
        return attempt_store.create_attempts(
            db, campaign_id, contact_ids, now=now, expires_at=now + timedelta(seconds=expires_s)
        )


def enqueue(redis_url: str, attempt_ids: list[int]) -> None:
    app = create_app(redis_url)
    for attempt_id in attempt_ids:
        app.send_task("dialer.dial", args=[attempt_id], queue="dials")


def wait_ended(
    db: Connection, attempt_ids: list[int], timeout: float = 90
) -> dict[int, tuple[object, ...]]:
    deadline = time.monotonic() + timeout
    while True:
        rows = db.execute(
            "SELECT id, state, outcome, sip_status, dial_at, ring_at, answer_at, hangup_at, worker,"
            " agent_id, agent_connect_at, message_start_at"
            " FROM call_attempts WHERE id = ANY(%s)",
            (attempt_ids,),
        ).fetchall()
        if all(row[1] == "ended" for row in rows) and len(rows) == len(attempt_ids):
            return {int(row[0]): tuple(row[1:]) for row in rows}  # type: ignore[arg-type]
        if time.monotonic() > deadline:
            raise AssertionError(f"attempts not ended: {rows}")
        time.sleep(0.3)
