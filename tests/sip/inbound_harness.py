"""`dialer inbound serve` as a real process for sip-tier tests, and sipp callers to call it."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import psutil

from campaigns.storage.db import Connection
from dialer.carrier import Scenario, SippCarrier
from dialer.telephony.ports import TEST_RTP_RANGE, free_udp_port

# Columns of one stored inbound call (see calls()).
OUTCOME, AGENT_ID, OFFERED_AT, ANSWERED_AT, ABANDONED_AT, ENDED_AT, RECORDING, CALLER = range(8)


@dataclass
class Inbound:
    process: subprocess.Popen[bytes]
    port: int
    processes: int
    log_path: Path
    proxy_port: int = 0

    @property
    def address(self) -> str:
        """Where callers call: the proxy when there is one, else the first process."""
        return f"127.0.0.1:{self.proxy_port or self.port}"

    def wait_ready(self, timeout: float = 30) -> None:
        """Every inbound process has bound its SIP port."""
        wanted = set(range(self.port, self.port + self.processes))
        if self.proxy_port:
            wanted.add(self.proxy_port)
        deadline = time.monotonic() + timeout
        while True:
            bound: set[int] = set()
            for child in psutil.Process(self.process.pid).children(recursive=True):
                try:
                    bound |= {c.laddr.port for c in child.net_connections(kind="udp") if c.laddr}
                except psutil.Error:
                    continue
            if wanted <= bound:
                return
            if self.process.poll() is not None or time.monotonic() > deadline:
                raise AssertionError(f"inbound did not start:\n{self.log()[-3000:]}")
            time.sleep(0.1)

    def process_holding_calls(self) -> psutil.Process:
        """The inbound process on the first SIP port (with `calls=2`, the only one)."""
        for child in psutil.Process(self.process.pid).children(recursive=True):
            try:
                ports = {c.laddr.port for c in child.net_connections(kind="udp") if c.laddr}
            except psutil.Error:
                continue
            if self.port in ports:
                return child
        raise AssertionError(f"no process on port {self.port}")

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")

    def stop(self, timeout: float = 60) -> int:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
        return self.process.wait(timeout=timeout)


@contextmanager
def running_inbound(
    env: dict[str, str],
    tmp: Path,
    calls: int = 2,
    grace: float = 5,
    *,
    proxy: bool = False,
    order: str = "fill",
) -> Iterator[Inbound]:
    processes = (calls + 1) // 2
    port = free_udp_port(block=processes)
    rtp = free_udp_port(*TEST_RTP_RANGE, block=processes * 16)
    proxy_port = free_udp_port() if proxy else 0
    log_path = tmp / "inbound.log"
    with log_path.open("wb") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "dialer", "inbound", "serve", "--port", str(port),
             "--rtp-port", str(rtp), "--calls", str(calls), "--grace", str(grace),
             "--proxy-port", str(proxy_port), "--proxy-order", order],
            env={**os.environ, **env, "DIALER_CARRIER_ADDRESSES": "127.0.0.1"},
            stdout=out,
            stderr=subprocess.STDOUT,
        )  # fmt: skip
    inbound = Inbound(process, port, processes, log_path, proxy_port)
    try:
        inbound.wait_ready()
        yield inbound
    finally:
        try:
            inbound.stop()
        except subprocess.TimeoutExpired:
            process.kill()


def caller(
    tmp: Path,
    inbound: Inbound,
    did: str,
    number: str,
    *,
    hang_up_after_s: float | None = None,
    calls: int = 1,
    address: str = "127.0.0.1",
    extra: tuple[str, ...] = (),
) -> SippCarrier:
    """A sipp caller: hangs up after ``hang_up_after_s``, or (None) waits for our BYE."""
    scenario = (
        Scenario.UAC_CALLER_WAITS if hang_up_after_s is None else Scenario.UAC_CALLER_HANGS_UP
    )
    args = ["-s", did, "-key", "caller", number, *extra]
    if hang_up_after_s is not None:
        args += ["-d", str(int(hang_up_after_s * 1000))]
    return SippCarrier(
        scenario,
        tmp,
        address=address,
        remote=inbound.address,
        calls=calls,
        extra_args=tuple(args),
    ).start()


def media_port(sipp: SippCarrier) -> int:
    """The RTP port a sipp caller offered: where the called side sends what the caller hears."""
    deadline = time.monotonic() + 5  # sipp flushes its message log about once a second
    while not (ports := sipp.offered_media_ports()) and time.monotonic() < deadline:
        time.sleep(0.1)
    [port] = ports
    return port


def calls(db: Connection, timeout: float = 60, count: int = 1) -> list[tuple[object, ...]]:
    """The stored inbound calls once ``count`` of them have an outcome, oldest first."""
    deadline = time.monotonic() + timeout
    while True:
        rows = db.execute(
            "SELECT outcome, agent_id, offered_at, answered_at, abandoned_at, ended_at,"
            " recording_path, caller_number FROM inbound_calls ORDER BY id"
        ).fetchall()
        if len(rows) >= count and all(row[OUTCOME] is not None for row in rows):
            return [tuple(row) for row in rows]
        if time.monotonic() > deadline:
            raise AssertionError(f"inbound calls not finished: {rows}")
        time.sleep(0.2)
