"""Does AMD stall the audio thread? Push corpus audio at real-time pace into an AnalysisRunner.

A stand-in "audio thread" pushes one 20 ms frame per call every 20 ms, as pjsua2's clock thread
would, while the analysis threads classify. We time each push (what the frame callback would
spend) and how late each tick starts (a stall any call would hear). Wall-clock figures from the
machine the bench runs on; never asserted by tests.
"""

from __future__ import annotations

import statistics
import threading
import time
from collections.abc import Sequence
from typing import Any

from dialer.amd import AmdEvent, AmdSettings, BeepSettings
from dialer.amd.audio import FRAME_MS, MS_PER_SECOND
from dialer.amd.runner import AnalysisRunner

_US_PER_S = 1_000_000


def runner_load(
    calls_audio: Sequence[Sequence[bytes]], seconds: float, analysis_threads: int = 1
) -> dict[str, Any]:
    """Push `calls_audio` (frames per call) concurrently for `seconds`; timing figures in us."""
    decided = threading.Event()
    pushes_us: list[float] = []
    late_us: list[float] = []

    def on_event(call_id: str, event: AmdEvent) -> None:
        decided.set()

    ticks = int(seconds * MS_PER_SECOND / FRAME_MS)
    # The same loop with no AMD at all: timer and scheduler lateness on this machine, to subtract.
    idle_start = time.perf_counter()
    idle_late_us = [_late_us(idle_start, tick) for tick in range(ticks)]
    with AnalysisRunner(threads=analysis_threads) as runner:
        taps = [
            runner.open(f"load-{i}", on_event, AmdSettings(), BeepSettings())
            for i in range(len(calls_audio))
        ]
        start = time.perf_counter()
        for tick in range(ticks):
            late_us.append(_late_us(start, tick))
            for tap, frames in zip(taps, calls_audio, strict=True):
                before = time.perf_counter()
                tap.push(frames[tick % len(frames)])
                pushes_us.append((time.perf_counter() - before) * _US_PER_S)
        for tap in taps:
            tap.close()
    return {
        "calls": len(calls_audio),
        "analysis_threads": analysis_threads,
        "seconds": seconds,
        "push_us_p50": _pct(pushes_us, 50),
        "push_us_p99": _pct(pushes_us, 99),
        "push_us_max": round(max(pushes_us, default=0.0), 1),
        "tick_late_us_p99": _pct(late_us, 99),
        "tick_late_us_max": round(max(late_us, default=0.0), 1),
        "idle_tick_late_us_p99": _pct(idle_late_us, 99),
        "idle_tick_late_us_max": round(max(idle_late_us, default=0.0), 1),
        "any_decision": decided.is_set(),
    }


def _late_us(start: float, tick: int) -> float:
    """Sleep until the tick is due; how late it actually started."""
    due = start + tick * FRAME_MS / MS_PER_SECOND
    now = time.perf_counter()
    if now < due:
        time.sleep(due - now)
    return max(0.0, time.perf_counter() - due) * _US_PER_S


def _pct(values: Sequence[float], percent: int) -> float | None:
    if len(values) < 2:
        return None
    return round(statistics.quantiles(values, n=100, method="inclusive")[percent - 1], 1)
