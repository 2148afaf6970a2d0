"""Lookup tables derived from `PacingStatistics`, built when the statistics are refreshed.

Building costs a few milliseconds; `decide()` then only indexes the tables. Every table answers
"given what was already seen (seconds rung, seconds into talk or wrap-up), what is the chance that
X happens within t more seconds", with t in whole seconds up to `SUPPLY_HORIZON`.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from numpy.lib.stride_tricks import sliding_window_view

from dialer.pacing.observations import Seconds
from dialer.pacing.statistics import PacingStatistics

Table = npt.NDArray[np.float64]

# A new call's live answer is looked at up to this many seconds ahead (ring timeouts are ~25 s).
ANSWER_HORIZON = 40
# Agents are looked at a little further: an answer at the horizon may wait for one.
SUPPLY_HORIZON = ANSWER_HORIZON + 8
# Below this many (aged) observations still alive at an elapsed time, the conditional estimate is
# noise: longer elapsed times reuse the last row that had enough.
MIN_SURVIVORS = 3.0
# Below this many (aged) inbound talks, or wrap-ups after them, the inbound queues' own durations
# say too little: the outbound ones stand in for them.
MIN_INBOUND_OBSERVATIONS = 5.0


@dataclass(frozen=True)
class TableRows:
    """Where one table's rows are in `PacingModel.agent_chances`."""

    first: int
    count: int

    def of(self, seconds: npt.NDArray[np.float64]) -> npt.NDArray[np.intp]:
        """The row of each elapsed time; past the table's end its last row stands for all."""
        rows: npt.NDArray[np.intp] = np.minimum(seconds.astype(np.intp), self.count - 1)
        return rows + self.first


@dataclass(frozen=True, eq=False)
class PacingModel:
    completed_talks: int
    live_probability: float
    # [seconds rung, t]: P(a person answers within t more seconds | still ringing)
    live_within: Table
    # [t]: P(a new call's live answer comes at second t | it is live)
    live_delay_density: Table
    # the seconds after dialing between which people have answered (the density's support)
    first_answer_second: int
    last_answer_second: int
    # [seconds into talk, t]: P(the agent is ready within t seconds), through its wrap-up
    on_call_free_within: Table
    # [seconds into wrap-up, t]: P(the agent is ready within t seconds)
    wrap_up_free_within: Table
    # the same for an agent busy with an inbound caller, from the campaign's inbound queues' talk
    # and wrap-up durations; the outbound figures stand in for each one not yet learnt
    inbound_on_call_free_within: Table
    inbound_wrap_up_free_within: Table
    inbound_talk_learned: bool
    inbound_wrap_learned: bool
    # the same chances with their Bernoulli variances, [row, (chance, variance), t], the tables'
    # rows one after the other: one gather and one sum per decision instead of six
    agent_chances: npt.NDArray[np.float64]
    on_call_rows: TableRows
    wrap_up_rows: TableRows
    inbound_on_call_rows: TableRows
    inbound_wrap_up_rows: TableRows
    ringing_chances: npt.NDArray[np.float64]

    @classmethod
    def from_statistics(
        cls, statistics: PacingStatistics, talking: Seconds | None = None
    ) -> PacingModel:
        """`talking`: seconds into each talk going on now (the agents on call). They say how
        long talks last as much as the finished ones do: a model learnt from finished talks
        alone thinks talks are short early in a day (the long ones have not ended yet)."""
        live = np.asarray(statistics.live_answer_delays, dtype=np.float64)
        other = np.asarray(statistics.other_ring_ends, dtype=np.float64)
        talk = np.asarray(statistics.talk_durations, dtype=np.float64)
        wrap = np.asarray(statistics.wrap_durations, dtype=np.float64)
        dials = float(live.sum() + other.sum())
        density = _padded(live, ANSWER_HORIZON)
        density[-1] += live[ANSWER_HORIZON:].sum()
        support = np.nonzero(density > 0)[0]
        live_within = _event_within(live, live + other)
        talks = _Talks.of(talk, talking)
        on_call = _talk_then_wrap_within(talks, wrap)
        wrap_up = _event_within(wrap, wrap)
        inbound = _InboundTables.of(statistics, talks, wrap, on_call, wrap_up)
        tables = [on_call, wrap_up]
        on_call_rows = TableRows(0, len(on_call))
        wrap_up_rows = TableRows(len(on_call), len(wrap_up))
        inbound_on_call_rows, inbound_wrap_up_rows = on_call_rows, wrap_up_rows
        if inbound.talk_learned or inbound.wrap_learned:
            inbound_on_call_rows = TableRows(_rows_in(tables), len(inbound.on_call))
            tables.append(inbound.on_call)
        if inbound.wrap_learned:
            inbound_wrap_up_rows = TableRows(_rows_in(tables), len(inbound.wrap_up))
            tables.append(inbound.wrap_up)
        return cls(
            completed_talks=statistics.completed_talks,
            live_probability=float(live.sum()) / dials if dials > 0 else 0.0,
            live_within=live_within,
            live_delay_density=density / max(float(density.sum()), 1e-12),
            first_answer_second=int(support[0]) if len(support) else 0,
            last_answer_second=int(support[-1]) if len(support) else ANSWER_HORIZON - 1,
            on_call_free_within=on_call,
            wrap_up_free_within=wrap_up,
            inbound_on_call_free_within=inbound.on_call,
            inbound_wrap_up_free_within=inbound.wrap_up,
            inbound_talk_learned=inbound.talk_learned,
            inbound_wrap_learned=inbound.wrap_learned,
            agent_chances=_with_variance(np.concatenate(tables)),
            on_call_rows=on_call_rows,
            wrap_up_rows=wrap_up_rows,
            inbound_on_call_rows=inbound_on_call_rows,
            inbound_wrap_up_rows=inbound_wrap_up_rows,
            ringing_chances=_with_variance(live_within),
        )


@dataclass(frozen=True, eq=False)
class _InboundTables:
    on_call: Table
    wrap_up: Table
    talk_learned: bool
    wrap_learned: bool

    @classmethod
    def of(
        cls,
        statistics: PacingStatistics,
        talks: _Talks,
        wrap: Table,
        on_call: Table,
        wrap_up: Table,
    ) -> _InboundTables:
        """Inbound tables from the inbound durations, each falling back to the outbound one."""
        inbound_talk = np.asarray(statistics.inbound_talk_durations, dtype=np.float64)
        inbound_wrap = np.asarray(statistics.inbound_wrap_durations, dtype=np.float64)
        talk_learned = bool(inbound_talk.sum() >= MIN_INBOUND_OBSERVATIONS)
        wrap_learned = bool(inbound_wrap.sum() >= MIN_INBOUND_OBSERVATIONS)
        if not (talk_learned or wrap_learned):
            return cls(on_call, wrap_up, False, False)
        wrap_used = inbound_wrap if wrap_learned else wrap
        return cls(
            on_call=_talk_then_wrap_within(
                _Talks.of(inbound_talk, None) if talk_learned else talks, wrap_used
            ),
            wrap_up=_event_within(wrap_used, wrap_used) if wrap_learned else wrap_up,
            talk_learned=talk_learned,
            wrap_learned=wrap_learned,
        )


def _rows_in(tables: list[Table]) -> int:
    return sum(len(table) for table in tables)


def _with_variance(table: Table) -> npt.NDArray[np.float64]:
    return np.stack([table, table * (1.0 - table)], axis=1)


def _padded(counts: Table, length: int) -> Table:
    out = np.zeros(length)
    n = min(length, len(counts))
    out[:n] = counts[:n]
    return out


def _survivors(counts: Table) -> Table:
    """survivors[i] = observations ending at or after bin i."""
    return np.concatenate([np.cumsum(counts[::-1])[::-1], [0.0]])


def _reliable_rows(table: Table, survivors: Table) -> Table:
    ok = np.nonzero(survivors[: len(table)] >= MIN_SURVIVORS)[0]
    last = int(ok[-1]) if len(ok) else 0
    table[last + 1 :] = table[last]
    return table


def _event_within(events: Table, everything: Table) -> Table:
    """[i, t] = P(an `events` end in [i, i + t) | nothing in `everything` ended before i)."""
    bins = len(events)
    before = np.concatenate([[0.0], np.cumsum(events)])
    before = np.concatenate([before, np.full(SUPPLY_HORIZON + 1, before[-1])])
    rows = np.arange(bins)[:, None]
    steps = np.arange(SUPPLY_HORIZON + 1)[None, :]
    alive = _survivors(everything)
    table = (before[rows + steps] - before[rows]) / np.maximum(alive[:bins, None], 1e-12)
    table = np.clip(table, 0.0, 1.0)
    return _reliable_rows(table, alive)


@dataclass(frozen=True, eq=False)
class _Talks:
    """Talk lengths as Kaplan-Meier sees them: the finished talks and the ones still going
    (right-censored at their age so far). `ends[i]`: talks ending in second i; `alive[i]`: talks
    lasting at least i seconds, both in observations; `at_risk[i]`: observations that reached
    second i (finished or going), which says where the estimate has data."""

    ends: Table
    alive: Table
    at_risk: Table

    @classmethod
    def of(cls, finished: Table, going: Seconds | None) -> _Talks:
        survivors = _survivors(finished)
        if going is None or len(going) == 0:
            return cls(finished, survivors, survivors)  # Kaplan-Meier without censoring
        bins = len(finished)
        ages = np.clip(going.astype(np.int64), 0, bins - 1)
        at_risk = survivors + _survivors(np.bincount(ages, minlength=bins).astype(np.float64))
        hazard = np.divide(finished, at_risk[:bins], out=np.zeros(bins), where=at_risk[:bins] > 0)
        # survival[i] = P(a talk lasts at least i seconds)
        survival = np.concatenate([[1.0], np.cumprod(1.0 - hazard)])
        total = float(at_risk[0])
        return cls(total * survival[:bins] * hazard, total * survival, at_risk)


def _talk_then_wrap_within(talks: _Talks, wrap: Table) -> Table:
    """[i, t] = P(talk ends and the wrap-up after it ends within t seconds | talk lasted i s)."""
    talk = talks.ends
    bins = len(talk)
    wrap_total = max(float(wrap.sum()), 1e-12)
    # wrap_done[x] = P(wrap-up shorter than x seconds)
    wrap_done = np.concatenate([[0.0], np.cumsum(_padded(wrap, SUPPLY_HORIZON))]) / wrap_total
    shifted = np.concatenate([talk, np.zeros(SUPPLY_HORIZON)])
    # ends[i, d] = talks (of those alive at i) ending d seconds from now
    ends = sliding_window_view(shifted, SUPPLY_HORIZON)[:bins]
    # then[d, t] = P(the wrap-up after a talk ending at d is over by t)
    steps = np.arange(SUPPLY_HORIZON + 1)[None, :] - np.arange(SUPPLY_HORIZON)[:, None]
    then = np.where(steps > 0, wrap_done[np.clip(steps, 0, SUPPLY_HORIZON)], 0.0)
    table = ends @ then
    table = np.clip(table / np.maximum(talks.alive[:bins, None], 1e-12), 0.0, 1.0)
    return _reliable_rows(table, talks.at_risk)
