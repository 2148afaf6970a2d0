"""Peak resident memory of this process and all its descendants together, sampled."""

from __future__ import annotations

import threading
from types import TracebackType

import psutil


class PeakRss:
    """Samples the process tree's summed RSS every `interval` seconds while in the block.

    Summing RSS counts pages shared between parent and children more than once, so the figure
    errs high, which is the right way for a memory limit.
    """

    def __init__(self, interval: float = 0.05) -> None:
        self._interval = interval
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, name="peak-rss", daemon=True)
        self.peak_bytes = 0

    def __enter__(self) -> PeakRss:
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

    @property
    def peak_mb(self) -> float:
        return round(self.peak_bytes / (1024 * 1024), 1)

    def _sample(self) -> None:
        me = psutil.Process()
        while True:
            self.peak_bytes = max(self.peak_bytes, _tree_rss(me))
            if self._stop.wait(self._interval):
                return


def _tree_rss(process: psutil.Process) -> int:
    total = 0
    for member in [process, *process.children(recursive=True)]:
        try:
            total += member.memory_info().rss
        except (psutil.NoSuchProcess, psutil.AccessDenied):
            continue  # a child that ended between listing and reading
    return total
