"""What pacing learns from history: answer delays, outcomes, talk and wrap-up durations.

`PacingStatistics` is a frozen, JSON-serialisable snapshot (kept in Redis by the scheduler, rebuilt
from attempt rows after a loss). `StatisticsRecorder` is its mutable accumulator: O(1) per observed
event, and `decay()` ages old counts so that a change in the list (answer rate falling in the
afternoon) shows within minutes rather than being averaged over the whole day.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

# Histogram bins are one second wide; the last bin of each histogram collects everything longer.
RING_BINS = 120
TALK_BINS = 1800
WRAP_BINS = 600

# Half-lives of old observations. Outcomes change with the list and the hour, durations with the
# script and the agents, which is slower.
OUTCOME_HALF_LIFE_SECONDS = 20 * 60.0
DURATION_HALF_LIFE_SECONDS = 4 * 3600.0

Counts = npt.NDArray[np.float64]


@dataclass(frozen=True)
class PacingStatistics:
    # dials by whole seconds from dial to a person answering
    live_answer_delays: tuple[float, ...]
    # dials by whole seconds from dial to any other end of ringing (machine answer, busy, no answer)
    other_ring_ends: tuple[float, ...]
    talk_durations: tuple[float, ...]
    wrap_durations: tuple[float, ...]
    # not aged: pacing stays progressive until this many talks have been seen
    completed_talks: int
    # the campaign's inbound queues' calls (agent answer to the call's end) and the wrap-ups
    # after them; empty in statistics written before they were learnt
    inbound_talk_durations: tuple[float, ...] = ()
    inbound_wrap_durations: tuple[float, ...] = ()

    @classmethod
    def empty(cls) -> PacingStatistics:
        return StatisticsRecorder().snapshot()

    def to_json(self) -> str:
        return json.dumps(
            {
                "live_answer_delays": _sparse(self.live_answer_delays),
                "other_ring_ends": _sparse(self.other_ring_ends),
                "talk_durations": _sparse(self.talk_durations),
                "wrap_durations": _sparse(self.wrap_durations),
                "completed_talks": self.completed_talks,
                "inbound_talk_durations": _sparse(self.inbound_talk_durations),
                "inbound_wrap_durations": _sparse(self.inbound_wrap_durations),
            },
            separators=(",", ":"),
        )

    @classmethod
    def from_json(cls, text: str) -> PacingStatistics:
        data = json.loads(text)
        return cls(
            live_answer_delays=_dense(data["live_answer_delays"], RING_BINS),
            other_ring_ends=_dense(data["other_ring_ends"], RING_BINS),
            talk_durations=_dense(data["talk_durations"], TALK_BINS),
            wrap_durations=_dense(data["wrap_durations"], WRAP_BINS),
            completed_talks=int(data["completed_talks"]),
            inbound_talk_durations=_dense(data.get("inbound_talk_durations", {}), TALK_BINS),
            inbound_wrap_durations=_dense(data.get("inbound_wrap_durations", {}), WRAP_BINS),
        )


def _sparse(counts: tuple[float, ...]) -> dict[str, float]:
    return {str(i): round(c, 4) for i, c in enumerate(counts) if c > 0}


def _dense(sparse: dict[str, float], bins: int) -> tuple[float, ...]:
    counts = [0.0] * bins
    for key, value in sparse.items():
        counts[int(key)] = float(value)
    return tuple(counts)


def _bin(seconds: float, bins: int) -> int:
    return min(max(int(seconds), 0), bins - 1)


class StatisticsRecorder:
    """Accumulates observations; `snapshot()` gives the frozen statistics pacing reads."""

    def __init__(self, statistics: PacingStatistics | None = None) -> None:
        self.live_answer_delays: Counts = np.zeros(RING_BINS)
        self.other_ring_ends: Counts = np.zeros(RING_BINS)
        self.talk_durations: Counts = np.zeros(TALK_BINS)
        self.wrap_durations: Counts = np.zeros(WRAP_BINS)
        self.completed_talks = 0
        self.inbound_talk_durations: Counts = np.zeros(TALK_BINS)
        self.inbound_wrap_durations: Counts = np.zeros(WRAP_BINS)
        if statistics is not None:
            self.live_answer_delays[:] = statistics.live_answer_delays
            self.other_ring_ends[:] = statistics.other_ring_ends
            self.talk_durations[:] = statistics.talk_durations
            self.wrap_durations[:] = statistics.wrap_durations
            self.completed_talks = statistics.completed_talks
            if statistics.inbound_talk_durations:
                self.inbound_talk_durations[:] = statistics.inbound_talk_durations
            if statistics.inbound_wrap_durations:
                self.inbound_wrap_durations[:] = statistics.inbound_wrap_durations

    def ringing_ended(self, seconds_since_dial: float, *, live: bool) -> None:
        """A dial stopped ringing: a person answered (`live`) or anything else happened."""
        target = self.live_answer_delays if live else self.other_ring_ends
        target[_bin(seconds_since_dial, RING_BINS)] += 1.0

    def talk_ended(self, seconds: float) -> None:
        self.talk_durations[_bin(seconds, TALK_BINS)] += 1.0
        self.completed_talks += 1

    def wrap_up_ended(self, seconds: float) -> None:
        self.wrap_durations[_bin(seconds, WRAP_BINS)] += 1.0

    def inbound_talk_ended(self, seconds: float) -> None:
        """An inbound caller's talk with an agent ended (outbound warm-up is not counted)."""
        self.inbound_talk_durations[_bin(seconds, TALK_BINS)] += 1.0

    def inbound_wrap_up_ended(self, seconds: float) -> None:
        self.inbound_wrap_durations[_bin(seconds, WRAP_BINS)] += 1.0

    def decay(self, elapsed_seconds: float) -> None:
        """Age every count by the time passed since the last call."""
        outcome = math.exp(-math.log(2.0) * elapsed_seconds / OUTCOME_HALF_LIFE_SECONDS)
        duration = math.exp(-math.log(2.0) * elapsed_seconds / DURATION_HALF_LIFE_SECONDS)
        self.live_answer_delays *= outcome
        self.other_ring_ends *= outcome
        self.talk_durations *= duration
        self.wrap_durations *= duration
        self.inbound_talk_durations *= duration
        self.inbound_wrap_durations *= duration

    def snapshot(self) -> PacingStatistics:
        return PacingStatistics(
            live_answer_delays=tuple(self.live_answer_delays.tolist()),
            other_ring_ends=tuple(self.other_ring_ends.tolist()),
            talk_durations=tuple(self.talk_durations.tolist()),
            wrap_durations=tuple(self.wrap_durations.tolist()),
            completed_talks=self.completed_talks,
            inbound_talk_durations=tuple(self.inbound_talk_durations.tolist()),
            inbound_wrap_durations=tuple(self.inbound_wrap_durations.tolist()),
        )
