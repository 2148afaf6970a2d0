"""Score the AMD classifier on a labelled corpus: accuracy, decision times, beeps, CPU per frame.

Frames are measured once per item (`FrameFeatures`), then run through the pure session, so the
same measured corpus can be replayed under many settings when tuning.
"""

from __future__ import annotations

import statistics
import time
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from dialer.amd import (
    AmdDecided,
    AmdSettings,
    BeepDetected,
    BeepSettings,
    Decision,
    SessionState,
    analyse_frame,
    connects_to_agent,
)
from dialer.amd.audio import FrameFeatures, measure_frame
from dialer.amd.classifier import Cause
from dialer.amd.corpus import CorpusItem
from dialer.amd.corpus_plan import Label
from dialer.bench.amd_sources import FrameSource

# A detected beep counts when it starts this close to where the corpus put it: two frames.
BEEP_TOLERANCE_MS = 40
PERCENT = 100.0


@dataclass(frozen=True)
class MeasuredItem:
    item: CorpusItem
    features: tuple[FrameFeatures, ...]


@dataclass(frozen=True)
class ItemResult:
    item: CorpusItem
    decided: AmdDecided
    beep: BeepDetected | None
    frames_analysed: int


def measure(items: Iterable[CorpusItem], source: FrameSource) -> tuple[list[MeasuredItem], float]:
    """Each item's frame features, and the CPU microseconds per frame that measuring took
    (reading and decoding the files is not counted: a live call gets its PCM from pjsua2)."""
    measured = []
    frames = 0
    cpu_s = 0.0
    for item in items:
        pcm_frames = list(source.frames(item))
        started = time.process_time()
        features = tuple(measure_frame(frame) for frame in pcm_frames)
        cpu_s += time.process_time() - started
        frames += len(features)
        measured.append(MeasuredItem(source.as_heard(item), features))
    return measured, _us_per_frame(cpu_s, frames)


def classify(
    measured: Sequence[MeasuredItem], settings: AmdSettings, beep_settings: BeepSettings
) -> tuple[list[ItemResult], float]:
    """Run every item through a session; also the CPU microseconds per analysed frame."""
    results = []
    frames = 0
    started = time.process_time()
    for entry in measured:
        results.append(_classify_one(entry, settings, beep_settings))
        frames += results[-1].frames_analysed
    return results, _us_per_frame(time.process_time() - started, frames)


def _classify_one(
    entry: MeasuredItem, settings: AmdSettings, beep_settings: BeepSettings
) -> ItemResult:
    state = SessionState()
    decided: AmdDecided | None = None
    beep: BeepDetected | None = None
    at_ms = 0
    count = 0
    for count, frame in enumerate(entry.features, start=1):  # noqa: B007 - read after the loop
        state, events = analyse_frame(state, frame, at_ms, settings, beep_settings)
        for event in events:
            if isinstance(event, AmdDecided):
                decided = event
            elif isinstance(event, BeepDetected):
                beep = event
        at_ms += frame.duration_ms
        if state.finished:
            break
    if decided is None:  # the file ended before any rule fired: a call would hang on, unsure
        decided = AmdDecided(Decision.NOT_SURE, Cause.TOO_LONG, at_ms, 0, 0)
    return ItemResult(entry.item, decided, beep, count)


def summarize(results: Sequence[ItemResult], settings: AmdSettings) -> dict[str, Any]:
    by_label: dict[Label, list[ItemResult]] = {label: [] for label in Label}
    for result in results:
        by_label[result.item.label].append(result)
    humans, machines = by_label[Label.HUMAN], by_label[Label.MACHINE]
    decided_ms = [r.decided.at_ms for r in humans + machines]
    return {
        "items": len(results),
        "human_accuracy": _share(humans, lambda r: connects_to_agent(r.decided.decision)),
        "machine_accuracy": _share(machines, lambda r: r.decided.decision is Decision.MACHINE),
        "announcement_as_machine": _share(
            by_label[Label.ANNOUNCEMENT], lambda r: r.decided.decision is Decision.MACHINE
        ),
        "silence_as_configured": _share(
            by_label[Label.SILENCE],
            lambda r: r.decided.decision is settings.initial_silence_decision,
        ),
        "noise_as_configured": _share(
            by_label[Label.NOISE], lambda r: r.decided.decision is settings.initial_silence_decision
        ),
        "decision_ms_p50": _percentile(decided_ms, 50),
        "decision_ms_p95": _percentile(decided_ms, 95),
        "human_decision_ms_p50": _percentile([r.decided.at_ms for r in humans], 50),
        "machine_decision_ms_p50": _percentile([r.decided.at_ms for r in machines], 50),
        "confusion": {
            label.value: dict(Counter(r.decided.decision.value for r in group))
            for label, group in by_label.items()
        },
        "causes": {
            label.value: dict(Counter(r.decided.cause.value for r in group))
            for label, group in by_label.items()
        },
        "by_category": _by_category(results),
        "beep": _beep_figures(machines),
        "mistakes": [
            {
                "id": r.item.item_id,
                "category": r.item.category,
                "decision": r.decided.decision.value,
                "cause": r.decided.cause.value,
                "at_ms": r.decided.at_ms,
            }
            for r in humans + machines
            if connects_to_agent(r.decided.decision) != (r.item.label is Label.HUMAN)
        ],
    }


def _beep_figures(machines: Sequence[ItemResult]) -> dict[str, object]:
    as_machine = [r for r in machines if r.decided.decision is Decision.MACHINE]
    with_beep = [r for r in as_machine if r.item.has_beep]
    found = [r for r in with_beep if r.beep is not None and _beep_on_time(r)]
    false_beeps = [r for r in as_machine if r.beep is not None and not _beep_on_time(r)]
    errors = [abs(r.beep.start_ms - (r.item.beep_time_ms or 0)) for r in found if r.beep]
    return {
        "machines_with_beep": len(with_beep),
        "detected": len(found),
        "detection_rate": round(PERCENT * len(found) / len(with_beep), 1) if with_beep else None,
        "false_or_misplaced": len(false_beeps),
        "start_error_ms_max": max(errors, default=None),
    }


def _beep_on_time(result: ItemResult) -> bool:
    expected = result.item.beep_time_ms
    return (
        result.beep is not None
        and expected is not None
        and abs(result.beep.start_ms - expected) <= BEEP_TOLERANCE_MS
    )


def _by_category(results: Sequence[ItemResult]) -> dict[str, dict[str, object]]:
    groups: dict[str, list[ItemResult]] = {}
    for result in results:
        groups.setdefault(f"{result.item.label.value}/{result.item.category}", []).append(result)
    return {
        name: {
            "items": len(group),
            "to_agent": _share(group, lambda r: connects_to_agent(r.decided.decision)),
        }
        for name, group in sorted(groups.items())
    }


def _share(group: Sequence[ItemResult], ok: Callable[[ItemResult], bool]) -> float | None:
    if not group:
        return None
    return round(PERCENT * sum(1 for r in group if ok(r)) / len(group), 1)


def _percentile(values: Sequence[int], percent: int) -> int | None:
    if not values:
        return None
    if len(values) == 1:
        return values[0]
    return round(statistics.quantiles(values, n=100, method="inclusive")[percent - 1])


def _us_per_frame(seconds: float, frames: int) -> float:
    return round(seconds * 1e6 / frames, 1) if frames else 0.0
