"""Synthetic call-centre history for the report bench: campaigns, lists, contacts, agents, their
state history, outbound attempts with consistent compliance timelines, and inbound calls.

Connected attempts come from simulated agent shifts (every on-call interval is one call), so agent
time and calls agree; the other outcomes are placed around the same working hours, more densely at
hours when people do not pick up, so "best time to call" has something to find. Campaigns differ in
abandonment (a few run above the cap). Rows stream into PostgreSQL with COPY, one campaign at a
time, through the real rollup triggers.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from time import monotonic
from zoneinfo import ZoneInfo

from psycopg import sql

from campaigns.storage.db import Connection
from dialer.bench.agent_days import AgentDay, Workload, simulate_shift
from dialer.bench.history_setup import Setup, create_setup
from dialer.bench.inbound_rows import inbound_history
from dialer.bench.outbound_rows import (
    NON_CONNECTED_WEIGHTS,
    AttemptDraft,
    CopyWriter,
    contact_rows,
    format_attempt,
    format_state,
)

SHARE_CONNECTED = 0.18
SHIFTS_LOCAL_HOURS = ((9, 17), (13, 21))
WEEKEND_SHIFT = (10, 18)
# Relative density of unanswered dialing by local hour: people at work do not pick up.
HOUR_WEIGHT = {h: (1.0 if 10 <= h < 16 else 0.55 if 17 <= h < 21 else 0.8) for h in range(24)}


@dataclass(frozen=True)
class HistorySpec:
    attempts: int = 10_000_000
    days: int = 30
    campaigns: int = 20
    end: datetime = datetime(2026, 11, 1, tzinfo=UTC)  # exclusive; reports look back from here
    seed: int = 7


@dataclass(frozen=True)
class Window:
    """A local day's dialing hours: from the first agent's login to the last one's logout."""

    midnight: float
    first_hour: int
    last_hour: int
    weekday: int
    agents: int


@dataclass(frozen=True)
class HistorySummary:
    attempts: int
    contacts: int
    agent_states: int
    inbound_calls: int
    seconds: float


def generate_history(
    conn: Connection, spec: HistorySpec, progress: Callable[[str], None] = lambda _: None
) -> HistorySummary:
    began = monotonic()
    rng = random.Random(spec.seed)
    conn.execute("SET TIME ZONE 'UTC'")
    setup = create_setup(conn, spec.campaigns, _agents_per_campaign(spec), rng)
    conn.commit()
    writer = CopyWriter(conn)
    per_campaign = spec.attempts // spec.campaigns
    for index, campaign in enumerate(setup.campaigns):
        target = per_campaign + (spec.attempts % spec.campaigns if index == 0 else 0)
        _campaign_history(
            writer, setup=setup, campaign_id=campaign.id, target=target, spec=spec, rng=rng
        )
        conn.commit()
        progress(
            f"campaign {index + 1}/{len(setup.campaigns)}: {writer.counts['attempts']} attempts"
        )
    inbound_history(writer, setup, spec.end, spec.days, rng)
    progress(f"inbound: {writer.counts['inbound']} calls")
    for table in ("call_attempts", "contacts", "agent_state_history", "inbound_calls"):
        conn.execute(
            f"SELECT setval(pg_get_serial_sequence('{table}', 'id'),"  # constant names
            f" greatest((SELECT max(id) FROM {table}), 1))"
        )
    conn.commit()
    progress("vacuum and analyze")
    # Autovacuum would get there within minutes on a live system: the bench measures that steady
    # state (visibility maps set, so the rollups' index-only scans apply), not a just-loaded one.
    was_autocommit = conn.autocommit
    conn.autocommit = True  # VACUUM runs outside any transaction
    rollups = conn.execute(
        "SELECT tablename FROM pg_tables WHERE schemaname = 'public' AND tablename LIKE 'report%'"
    ).fetchall()
    conn.execute(
        sql.SQL("VACUUM (ANALYZE) {}").format(
            sql.SQL(", ").join(sql.Identifier(str(row[0])) for row in rollups)
        )
    )
    conn.execute("ANALYZE")
    conn.autocommit = was_autocommit
    return HistorySummary(
        writer.counts["attempts"],
        writer.counts["contacts"],
        writer.counts["states"],
        writer.counts["inbound"],
        monotonic() - began,
    )


def _agents_per_campaign(spec: HistorySpec) -> int:
    calls_per_agent_day = 120
    working_days = spec.days * (5 + 2 / 3) / 7
    connected = spec.attempts / spec.campaigns * SHARE_CONNECTED
    return max(1, round(connected / (calls_per_agent_day * working_days)))


def _days(spec: HistorySpec, zone: ZoneInfo) -> list[tuple[datetime, int]]:
    """(local midnight as UTC, weekday) for each local day that ends inside the window."""
    first = (spec.end - timedelta(days=spec.days)).astimezone(zone).date() + timedelta(days=1)
    out = []
    for i in range(spec.days):
        day = first + timedelta(days=i)
        midnight = datetime(day.year, day.month, day.day, tzinfo=zone).astimezone(UTC)
        if midnight + timedelta(days=1) <= spec.end:
            out.append((midnight, day.weekday()))
    return out


def _shifts(agent: int, weekday: int) -> tuple[int, int] | None:
    if weekday >= 5:
        return WEEKEND_SHIFT if agent % 3 == 0 else None
    return SHIFTS_LOCAL_HOURS[agent % 2]


def _campaign_history(
    writer: CopyWriter,
    *,
    setup: Setup,
    campaign_id: int,
    target: int,
    spec: HistorySpec,
    rng: random.Random,
) -> None:
    campaign = setup.campaign(campaign_id)
    zone = ZoneInfo(campaign.timezone)
    load = Workload(rng.uniform(15, 40), rng.uniform(90, 130), rng.uniform(30, 60))
    drafts: list[AttemptDraft] = []
    shifts: list[tuple[int, AgentDay]] = []
    windows: list[Window] = []
    for midnight, weekday in _days(spec, zone):
        base = midnight.timestamp()
        worked = [h for h in (_shifts(a, weekday) for a in campaign.agent_ids) if h is not None]
        for agent_id in campaign.agent_ids:
            hours = _shifts(agent_id, weekday)
            if hours is None:
                continue
            day = simulate_shift(rng, base + hours[0] * 3600, base + hours[1] * 3600, load)
            shifts.append((agent_id, day))
            for call in day.calls:
                drafts.append(AttemptDraft.connected(call, agent_id, rng))
        if worked:  # the dialer only dials while agents are logged in
            first, last = min(h[0] for h in worked), max(h[1] for h in worked)
            windows.append(Window(base, first, last, weekday, len(worked)))
    del drafts[target:]
    abandoned = round(len(drafts) * campaign.abandon_share / (1 - campaign.abandon_share))
    _place_unconnected(
        drafts,
        target=target,
        abandoned=abandoned,
        windows=windows,
        rng=rng,
        end=spec.end.timestamp(),
    )
    drafts.sort(key=lambda d: d.queued)
    ids = writer.reserve("attempts", len(drafts))
    stats = setup.assign_contacts(campaign, drafts, rng)
    writer.copy("contacts", contact_rows(campaign, stats))
    attempt_of_call: dict[tuple[int, float], int] = {}
    lines = []
    for attempt_id, draft in zip(ids, drafts, strict=True):
        if draft.agent_id is not None:
            attempt_of_call[(draft.agent_id, draft.answered or 0.0)] = attempt_id
        lines.append(format_attempt(attempt_id, campaign, draft))
    writer.copy("attempts", lines)
    state_lines = []
    for agent_id, day in shifts:
        for span in day.spans:
            attempt = None
            if span.call is not None:
                attempt = attempt_of_call.get((agent_id, day.calls[span.call].answered))
            state_lines.append(format_state(agent_id, campaign_id, span, attempt))
    writer.copy("states", state_lines)


def _place_unconnected(
    drafts: list[AttemptDraft],
    *,
    target: int,
    abandoned: int,
    windows: list[Window],
    rng: random.Random,
    end: float,
) -> None:
    """Abandoned calls next to connected ones (they happen when every agent is busy); the rest in
    the working hours, days weighted by agents at work, thinned at hours people answer."""
    outcomes = list(NON_CONNECTED_WEIGHTS)
    weights = list(NON_CONNECTED_WEIGHTS.values())
    connected = len(drafts)
    missing = target - connected
    if not windows or not connected:
        return
    staffing = [w.agents for w in windows]
    placed = 0
    while placed < missing:
        if placed < abandoned:
            queued = drafts[rng.randrange(connected)].queued + rng.uniform(-120, 120)
            outcome = "abandoned"
        else:
            window = rng.choices(windows, staffing)[0]
            local_hour = rng.uniform(window.first_hour, window.last_hour)
            queued = window.midnight + local_hour * 3600
            if rng.random() > HOUR_WEIGHT[int(local_hour)] * (0.7 if window.weekday >= 5 else 1):
                continue
            outcome = rng.choices(outcomes, weights)[0]
        if queued >= end - 300:
            continue
        drafts.append(AttemptDraft.unconnected(queued, outcome, rng))
        placed += 1
