"""`dialer softphone` as a child process: its screen read line by line, its keys typed."""

from __future__ import annotations

import os
import queue
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

from dialer.telephony.ports import TEST_RTP_RANGE, free_udp_port

ROOT = Path(__file__).resolve().parents[2]


class SoftphoneProcess:
    def __init__(self, *args: str, env: dict[str, str] | None = None) -> None:
        if "--rtp-port" not in args:  # from the test band, never a worker's range
            args = (*args, "--rtp-port", str(free_udp_port(*TEST_RTP_RANGE, block=8)))
        self.args = args
        self.lines: list[str] = []
        self._queue: queue.Queue[str] = queue.Queue()
        self.process = subprocess.Popen(
            [sys.executable, "-m", "dialer", "softphone", *args],
            cwd=ROOT,
            env={**os.environ, "PYTHONPATH": str(ROOT), **(env or {})},
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            bufsize=1,
        )
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self._queue.put(line.rstrip("\n"))

    def wait_for(self, text: str, timeout: float = 15.0) -> str:
        """The next screen line containing ``text`` (lines before it are kept in ``lines``)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                line = self._queue.get(timeout=max(0.0, deadline - time.monotonic()))
            except queue.Empty:
                break
            self.lines.append(line)
            if text in line:
                return line
        tail = "\n".join(self.lines[-30:])
        raise AssertionError(f"softphone never showed {text!r}; last lines:\n{tail}")

    def ready_uris(self, count: int = 1) -> list[str]:
        """The SIP URIs of its lines ('READY [name] URI', after pjlib's banner)."""
        return [self.wait_for("READY", timeout=30).split()[-1] for _ in range(count)]

    def press(self, keys: str) -> None:
        assert self.process.stdin is not None
        self.process.stdin.write(keys + "\n")
        self.process.stdin.flush()

    def stop(self, timeout: float = 30.0) -> int:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
        try:
            return self.process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.process.kill()
            return self.process.wait()

    def screen(self) -> str:
        while True:
            try:
                self.lines.append(self._queue.get_nowait())
            except queue.Empty:
                return "\n".join(self.lines)
