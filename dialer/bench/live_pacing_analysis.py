"""What a live pacing run did, per 30-second bucket and over its steady part: a pure function
over the stored rows (attempts, agent state intervals, the scheduler's published decisions).

Definitions follow the reports (campaigns.report_metrics): a dial is an attempt that placed a
call; a live answer is a connected or abandoned call (or an AMD false positive), not a machine an
agent took and dispositioned as nobody there; the abandonment
rate is abandoned / live answers; occupancy is (talk + wrap-up + reserved) / (that + ready),
pauses and logged-out time counting in neither part.
"""

from __future__ import annotations

import statistics
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from campaigns.agents import AgentState
from campaigns.attempt import Outcome

BUSY_STATES = frozenset({AgentState.RESERVED, AgentState.ON_CALL, AgentState.WRAP_UP})
# Steady state starts at the first bucket whose occupancy comes within this of the steady level
# (the median of the run's second half): a 10-agent floor swings by more than 5 points a bucket.
STEADY_TOLERANCE = 0.10


@dataclass(frozen=True)
class AttemptRow:
    dial_at: datetime | None
    answer_at: datetime | None
    hangup_at: datetime | None
    outcome: str | None
    amd_false_positive: bool  # AMD said machine, the agent's disposition says a person
    pacing_risk: float | None = None  # the model's risk when a predictive decision placed it
    # connected, and the agent's disposition says nobody was there: a machine, not a live answer
    agent_heard_machine: bool = False
    message_start_at: datetime | None = None  # the abandonment message started

    @property
    def live(self) -> bool:
        if self.agent_heard_machine:
            return False
        return self.outcome in (Outcome.CONNECTED, Outcome.ABANDONED) or self.amd_false_positive

    @property
    def abandoned(self) -> bool:
        return self.outcome == Outcome.ABANDONED or self.amd_false_positive


@dataclass(frozen=True)
class StateInterval:
    agent_id: int
    state: str
    started_at: datetime
    ended_at: datetime | None  # None: still in this state


@dataclass(frozen=True)
class PacingSample:
    """One read of the scheduler's published decision (Redis, dialer:pacing:<campaign>)."""

    at: datetime
    reason: str
    dial_level: float | None


@dataclass(frozen=True)
class Bucket:
    start_s: float
    dials: int
    live_answers: int
    abandoned: int
    occupancy: float | None
    busy_s: float  # agent seconds reserved, talking or in wrap-up
    ready_s: float  # agent seconds ready
    agents_logged_in: float  # mean agents ready or busy over the bucket
    lines_per_agent: float | None  # mean calls in progress (dialed, not hung up) per such agent
    dial_level: float | None  # the scheduler's own mean calls in flight / ready agents
    reasons: dict[str, int]  # the scheduler's decision reasons sampled in the bucket


@dataclass(frozen=True)
class Summary:
    buckets: int
    dials: int
    live_answers: int
    abandoned: int
    abandon_rate: float | None
    steady_level: float | None  # median occupancy of the second half of the run
    steady_from_s: float | None  # first bucket start within STEADY_TOLERANCE of the level
    predictive_from_s: float | None  # first sample where the scheduler decided predictively
    steady_occupancy: float | None
    steady_live_answers: int
    steady_abandoned: int
    steady_abandon_rate: float | None
    steady_lines_per_agent: float | None
    abandon_target: float
    abandon_cap: float
    steady_within_target: bool | None
    steady_within_cap: bool | None
    total_within_cap: bool | None
    # From the bucket where the scheduler first decided predictively to the end.
    predictive_buckets: int
    predictive_occupancy: float | None
    predictive_live_answers: int
    predictive_abandoned: int
    predictive_abandon_rate: float | None
    predictive_lines_per_agent: float | None


def _overlap(start: datetime, end: datetime, lo: datetime, hi: datetime) -> float:
    return max(0.0, (min(end, hi) - max(start, lo)).total_seconds())


def _rate(part: int, whole: int) -> float | None:
    return part / whole if whole else None


def _bucket(
    lo: datetime,
    hi: datetime,
    run_start: datetime,
    attempts: list[AttemptRow],
    intervals: list[StateInterval],
    samples: list[PacingSample],
    run_end: datetime,
) -> Bucket:
    width = (hi - lo).total_seconds()
    dials = sum(1 for a in attempts if a.dial_at is not None and lo <= a.dial_at < hi)
    answered = [a for a in attempts if a.answer_at is not None and lo <= a.answer_at < hi]
    live = sum(1 for a in answered if a.live)
    abandoned = sum(1 for a in answered if a.abandoned)
    busy = ready = 0.0
    for interval in intervals:
        seconds = _overlap(interval.started_at, interval.ended_at or run_end, lo, hi)
        if interval.state in BUSY_STATES:
            busy += seconds
        elif interval.state == AgentState.READY:
            ready += seconds
    line_seconds = sum(
        _overlap(a.dial_at, a.hangup_at or run_end, lo, hi) for a in attempts if a.dial_at
    )
    agents = (busy + ready) / width if width else 0.0
    in_bucket = [s for s in samples if lo <= s.at < hi]
    levels = [s.dial_level for s in in_bucket if s.dial_level is not None]
    reasons: dict[str, int] = {}
    for sample in in_bucket:
        reasons[sample.reason] = reasons.get(sample.reason, 0) + 1
    return Bucket(
        start_s=(lo - run_start).total_seconds(),
        dials=dials,
        live_answers=live,
        abandoned=abandoned,
        occupancy=busy / (busy + ready) if busy + ready else None,
        busy_s=round(busy, 3),
        ready_s=round(ready, 3),
        agents_logged_in=round(agents, 2),
        lines_per_agent=round(line_seconds / width / agents, 3) if agents and width else None,
        dial_level=round(statistics.fmean(levels), 3) if levels else None,
        reasons=reasons,
    )


def analyse(
    attempts: list[AttemptRow],
    intervals: list[StateInterval],
    samples: list[PacingSample],
    *,
    start: datetime,
    end: datetime,
    abandon_target: float,
    abandon_cap: float,
    bucket_s: float = 30.0,
) -> tuple[list[Bucket], Summary]:
    """Buckets of `bucket_s` from `start` to `end` (the last one may be shorter) and a summary."""
    step = timedelta(seconds=bucket_s)
    buckets: list[Bucket] = []
    lo = start
    while lo < end:
        hi = min(lo + step, end)
        buckets.append(_bucket(lo, hi, start, attempts, intervals, samples, end))
        lo = hi
    level, steady_index = _steady(buckets)
    steady = buckets[steady_index:] if steady_index is not None else []
    steady_busy = sum(b.busy_s for b in steady)
    steady_all = steady_busy + sum(b.ready_s for b in steady)
    steady_live = sum(b.live_answers for b in steady)
    steady_abandoned = sum(b.abandoned for b in steady)
    steady_lines = [b.lines_per_agent for b in steady if b.lines_per_agent is not None]
    live = sum(b.live_answers for b in buckets)
    abandoned = sum(b.abandoned for b in buckets)
    steady_rate = _rate(steady_abandoned, steady_live)
    total_rate = _rate(abandoned, live)
    predictive = [s.at for s in samples if s.reason == "predictive" and start <= s.at < end]
    predictive_from_s = (min(predictive) - start).total_seconds() if predictive else None
    phase = (
        [b for b in buckets if b.start_s + bucket_s > predictive_from_s]
        if predictive_from_s is not None
        else []
    )
    phase_busy = sum(b.busy_s for b in phase)
    phase_all = phase_busy + sum(b.ready_s for b in phase)
    phase_live = sum(b.live_answers for b in phase)
    phase_abandoned = sum(b.abandoned for b in phase)
    phase_lines = [b.lines_per_agent for b in phase if b.lines_per_agent is not None]
    summary = Summary(
        buckets=len(buckets),
        dials=sum(b.dials for b in buckets),
        live_answers=live,
        abandoned=abandoned,
        abandon_rate=total_rate,
        steady_level=level,
        steady_from_s=steady[0].start_s if steady else None,
        predictive_from_s=predictive_from_s,
        steady_occupancy=steady_busy / steady_all if steady_all else None,
        steady_live_answers=steady_live,
        steady_abandoned=steady_abandoned,
        steady_abandon_rate=steady_rate,
        steady_lines_per_agent=statistics.fmean(steady_lines) if steady_lines else None,
        abandon_target=abandon_target,
        abandon_cap=abandon_cap,
        steady_within_target=None if steady_rate is None else steady_rate <= abandon_target,
        steady_within_cap=None if steady_rate is None else steady_rate <= abandon_cap,
        total_within_cap=None if total_rate is None else total_rate <= abandon_cap,
        predictive_buckets=len(phase),
        predictive_occupancy=phase_busy / phase_all if phase_all else None,
        predictive_live_answers=phase_live,
        predictive_abandoned=phase_abandoned,
        predictive_abandon_rate=_rate(phase_abandoned, phase_live),
        predictive_lines_per_agent=statistics.fmean(phase_lines) if phase_lines else None,
    )
    return buckets, summary


# An agent ready this long while an answer waited could have been claimed (claims retry every
# 0.1 s): shorter overlaps are the agent becoming ready as the message started.
MISSED_READY_S = 0.3


def abandoned_with_an_agent_ready(
    attempts: list[AttemptRow], intervals: list[StateInterval], run_end: datetime
) -> list[AttemptRow]:
    """Abandoned calls (not AMD's) during whose wait, from the answer to the message (or the
    customer's hang-up), an agent of the campaign was ready for `MISSED_READY_S` or more: each
    one a hand-off that failed with someone free, not for want of an agent."""
    missed = []
    for attempt in attempts:
        if attempt.outcome != Outcome.ABANDONED or attempt.answer_at is None:
            continue
        until = attempt.message_start_at or attempt.hangup_at or run_end
        if any(
            interval.state == AgentState.READY
            and _overlap(
                interval.started_at, interval.ended_at or run_end, attempt.answer_at, until
            )
            >= MISSED_READY_S
            for interval in intervals
        ):
            missed.append(attempt)
    return missed


def _steady(buckets: list[Bucket]) -> tuple[float | None, int | None]:
    """The steady occupancy level and the index of the first bucket that reaches it."""
    second_half = [b.occupancy for b in buckets[len(buckets) // 2 :] if b.occupancy is not None]
    if not second_half:
        return None, None
    level = statistics.median(second_half)
    for index, bucket in enumerate(buckets):
        if bucket.occupancy is not None and bucket.occupancy >= level - STEADY_TOLERANCE:
            return level, index
    return level, None  # unreachable: the median's own bucket reaches it


def samples_from_buckets(
    buckets: list[dict[str, Any]],
    start: datetime,
    end: datetime,
    predictive_from_s: float | None,
    bucket_s: float = 30.0,
) -> list[PacingSample]:
    """Samples rebuilt from a result that stored only their per-bucket counts (the first
    committed run): spread evenly over each bucket in the order the reasons first appeared, each
    with the bucket's mean dial level, the first predictive one at its recorded time. Bucket
    counts, mean levels and the predictive start come out as they were."""
    length = (end - start).total_seconds()
    rebuilt: list[PacingSample] = []
    for bucket in buckets:
        begin = float(bucket["start_s"])
        width = min(begin + bucket_s, length) - begin
        names = [str(name) for name, count in bucket["reasons"].items() for _ in range(count)]
        level = bucket["dial_level"]
        seen_predictive = any(s.reason == "predictive" for s in rebuilt)
        for index, name in enumerate(names):
            offset = begin + width * (index + 0.5) / len(names)
            if name == "predictive" and predictive_from_s is not None:
                first = not seen_predictive
                offset = predictive_from_s if first else max(offset, predictive_from_s)
                seen_predictive = True
            at = start + timedelta(seconds=offset)
            rebuilt.append(PacingSample(at, name, None if level is None else float(level)))
    return rebuilt
