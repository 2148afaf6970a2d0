"""The benchmark's scenario (PACING_BENCHMARK.md), every figure a named, overridable field."""

from __future__ import annotations

from dataclasses import dataclass, replace
from enum import StrEnum

SECONDS_PER_HOUR = 3600.0


class Stress(StrEnum):
    # 1 % of people wrongly taken for machines (counted as abandoned); 1.2 s usable wait
    AMD_FP_1 = "amd-fp-1"
    AMD_FP_5 = "amd-fp-5"
    # the live-answer rate halves half-way through the shift
    ANSWER_DROP = "answer-drop"


AMD_STRESS_WAIT_SECONDS = 1.2
AMD_STRESS_FALSE_POSITIVES = {Stress.AMD_FP_1: 0.01, Stress.AMD_FP_5: 0.05}


@dataclass(frozen=True)
class Scenario:
    agents: int
    answer_rate: float
    hours: float = 8.0
    talk_mean: float = 180.0
    talk_cv: float = 1.0
    wrap_mean: float = 20.0
    wrap_cv: float = 0.5
    # shares of the non-live dials
    machine_share: float = 0.30
    no_answer_share: float = 0.55
    fast_failure_share: float = 0.15
    fast_failure_mean: float = 4.0
    fast_failure_cv: float = 0.5
    post_dial_delay: float = 2.0
    ring_timeout: float = 25.0
    # ring time mixture: (weight, mean, sd), truncated to [ring_min, ring_timeout]
    ring_components: tuple[tuple[float, float, float], ...] = ((0.75, 8.0, 2.5), (0.25, 19.0, 3.0))
    ring_min: float = 1.0
    machine_recognised_after: float = 3.0
    max_wait: float = 2.0
    amd_false_positive: float = 0.0
    # from this hour on the live-answer rate is `answer_rate_after` (None: never changes)
    answer_rate_after: float | None = None
    answer_change_hour: float = 4.0
    # worker lines and calls per second (None: unlimited, the benchmark's default)
    lines: int | None = None
    calls_per_second: int | None = None
    # how often pacing's statistics are aged and its model rebuilt
    statistics_refresh_seconds: float = 60.0
    # how far ahead the day's coming live answers are counted (see AbandonmentCounts)
    expected_answers_horizon: float = 3600.0

    @property
    def shift_seconds(self) -> float:
        return self.hours * SECONDS_PER_HOUR

    def with_stress(self, stress: Stress | None) -> Scenario:
        if stress is None:
            return self
        if stress is Stress.ANSWER_DROP:
            return replace(self, answer_rate_after=self.answer_rate / 2.0)
        return replace(
            self,
            amd_false_positive=AMD_STRESS_FALSE_POSITIVES[stress],
            max_wait=AMD_STRESS_WAIT_SECONDS,
        )

    def answer_rate_at(self, seconds: float) -> float:
        if self.answer_rate_after is not None and seconds >= self.answer_change_hour * 3600.0:
            return self.answer_rate_after
        return self.answer_rate
