"""CPU seconds an import costs: this process and its children, and the PostgreSQL backends
serving the benchmark's database (a separate process tree, sampled by name).

On a shared machine wall time depends on everyone else; CPU seconds do much less, so the
benchmark reports both.
"""

from __future__ import annotations

import resource
import threading
from types import TracebackType

import psutil


def _own_seconds() -> float:
    mine = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)  # worker processes, once ended
    return mine.ru_utime + mine.ru_stime + children.ru_utime + children.ru_stime


class CpuTime:
    def __init__(self, database: str, interval: float = 0.2) -> None:
        # PostgreSQL backends show "postgres: ... <user> <database> <client>" as their command.
        self._marker = f" {database} "
        self._interval = interval
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, name="pg-cpu", daemon=True)
        self._backend_start: dict[int, float] = {}
        self._backend_last: dict[int, float] = {}
        self._own_start = 0.0
        self.own_seconds = 0.0

    def __enter__(self) -> CpuTime:
        self._scan(baseline=True)
        self._own_start = _own_seconds()
        self._thread.start()
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        self._stop.set()
        self._thread.join()
        self.own_seconds = _own_seconds() - self._own_start

    @property
    def postgres_seconds(self) -> float:
        return sum(
            last - self._backend_start.get(pid, 0.0) for pid, last in self._backend_last.items()
        )

    def _sample(self) -> None:
        while not self._stop.wait(self._interval):
            self._scan(baseline=False)
        self._scan(baseline=False)

    def _scan(self, baseline: bool) -> None:
        for process in psutil.process_iter(["cmdline"]):
            try:
                command = " ".join(process.info["cmdline"] or [])
                if not command.startswith("postgres:") or self._marker not in f"{command} ":
                    continue
                times = process.cpu_times()
                seconds = times.user + times.system
            except (psutil.NoSuchProcess, psutil.AccessDenied):
                continue
            if baseline:
                self._backend_start[process.pid] = seconds
            self._backend_last[process.pid] = seconds
