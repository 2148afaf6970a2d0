"""Starts child processes, restarts the ones that die, and stops them all gracefully.

`dialer workers` runs its Celery worker processes under this, and `dialer demo` runs the whole
product under it. Stopping sends SIGTERM (a Celery worker's warm shutdown: ringing calls are
cancelled, connected calls finish) and waits up to a deadline before SIGKILL, which sends no BYE.
"""

from __future__ import annotations

import logging
import os
import signal
import subprocess
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from types import FrameType

log = logging.getLogger(__name__)

_MAX_BACKOFF_S = 30.0


@dataclass(frozen=True)
class ChildSpec:
    name: str
    argv: list[str]
    env: dict[str, str] = field(default_factory=dict)
    restart: bool = True
    # Where the child's stdout/stderr go; None inherits ours.
    log_path: str | None = None


@dataclass
class _Child:
    spec: ChildSpec
    process: subprocess.Popen[bytes] | None = None
    restarts: int = 0
    next_start: float = 0.0


@dataclass
class _Stage:
    """Children started together and stopped together, within their own deadline."""

    children: list[_Child]
    stop_timeout_s: float


class Supervisor:
    def __init__(self, specs: list[ChildSpec], stop_timeout_s: float = 30.0) -> None:
        self.stop_timeout_s = stop_timeout_s
        self._stages = [_Stage([_Child(spec) for spec in specs], stop_timeout_s)]
        self._stopping = False

    @property
    def children(self) -> list[_Child]:
        return [child for stage in self._stages for child in stage.children]

    def start(self) -> None:
        """Start every child not running yet (safe to call again)."""
        for child in self.children:
            if child.process is None:
                self._spawn(child)

    def add(self, specs: list[ChildSpec], stop_timeout_s: float | None = None) -> None:
        """More children, started now (the demo's robots once the dashboard answers). They may
        need what was started before them, so they are stopped first, and all of them gone (or
        killed after `stop_timeout_s`) before the earlier ones are asked to stop."""
        stage = _Stage([], self.stop_timeout_s if stop_timeout_s is None else stop_timeout_s)
        self._stages.append(stage)
        for spec in specs:
            child = _Child(spec)
            stage.children.append(child)
            self._spawn(child)

    def _spawn(self, child: _Child) -> None:
        output = open(child.spec.log_path, "ab") if child.spec.log_path else None  # noqa: SIM115
        try:
            child.process = subprocess.Popen(
                child.spec.argv,
                # An abort (pjsua's assertions end in SIGABRT) prints every thread's Python
                # stack into the child's log: where a pjsua2 call came from is otherwise lost.
                env={"PYTHONFAULTHANDLER": "1", **os.environ, **child.spec.env},
                stdout=output,
                stderr=subprocess.STDOUT if output else None,
                # Our own process group: a Ctrl-C in the terminal reaches us, and we decide.
                start_new_session=True,
            )
        finally:
            if output:
                output.close()
        log.info("started %s (pid %s)", child.spec.name, child.process.pid)

    def poll(self) -> None:
        """Restart children that died (with growing back-off); call it regularly."""
        now = time.monotonic()
        for child in self.children:
            process = child.process
            if process is None or process.poll() is None:
                if process is None and now >= child.next_start and not self._stopping:
                    self._spawn(child)
                continue
            if self._stopping:
                continue
            log.warning("%s exited with %s", child.spec.name, process.returncode)
            child.process = None
            if child.spec.restart:
                delay = min(_MAX_BACKOFF_S, 2.0**child.restarts)
                child.restarts += 1
                child.next_start = now + delay
                log.info("restarting %s in %.0f s", child.spec.name, delay)

    def alive(self) -> list[str]:
        return [c.spec.name for c in self.children if c.process and c.process.poll() is None]

    def stop(self) -> None:
        """Stage by stage, the last added first: SIGTERM its children, wait up to its deadline,
        then SIGKILL whatever is left. The demo's robots used to be stopped with the dashboard:
        their log-outs and last dispositions found no API, and a robot finishing a long call
        outlived the core's deadline and was killed."""
        if self._stopping:
            return
        self._stopping = True
        for stage in reversed(self._stages):
            _stop_all(stage.children, stage.stop_timeout_s)

    def run_until_signalled(
        self, on_tick: Callable[[], None] | None = None, tick_s: float = 1.0
    ) -> None:
        """Supervise until SIGTERM or SIGINT, then stop everything."""
        stop_requested = False

        def request_stop(signum: int, frame: FrameType | None) -> None:
            nonlocal stop_requested
            stop_requested = True

        previous = {
            sig: signal.signal(sig, request_stop) for sig in (signal.SIGTERM, signal.SIGINT)
        }
        try:
            self.start()
            while not stop_requested:
                self.poll()
                if on_tick is not None:
                    on_tick()
                time.sleep(tick_s)
        finally:
            self.stop()
            for sig, handler in previous.items():
                signal.signal(sig, handler)


def _stop_all(children: list[_Child], timeout_s: float) -> None:
    running = [c.process for c in children if c.process and c.process.poll() is None]
    for process in running:
        process.send_signal(signal.SIGTERM)
    deadline = time.monotonic() + timeout_s
    for process in running:
        try:
            process.wait(timeout=max(0.0, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            log.warning("pid %s did not stop in %.0f s: killing it", process.pid, timeout_s)
            process.kill()
            process.wait()
