"""One campaign's wallboard: every live figure a supervisor watches, read in one go.

Nothing here is computed twice: the agents' states come from their live state in Redis, the
dial level and the pacing's reason from the scheduler's last published decision, the worker
lines from the workers' heartbeats, the calls in progress from the open attempts, the 15-minute
and abandonment figures from the wallboard query over attempts and the day rollup, and the
dialable contacts from the same counts as `dialer campaign status`.

Counting contacts by blocking rule scans every contact of the campaign (hundreds of
milliseconds on a large list), and its answer moves slowly (retry times, calling windows): it
is kept in Redis for DIALABILITY_MAX_AGE and the board says how old it is. Everything else is
read fresh on every update.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

import redis

from campaigns.agents import AgentState
from campaigns.attempt import AttemptState
from campaigns.campaign import Campaign
from campaigns.report_rows import WallboardFigures
from campaigns.storage import claim_store, wallboard_store
from campaigns.storage.db import Connection
from campaigns.storage.reports.wallboard import wallboard_figures
from dialer import worker_registry
from dialer.agents import codec
from dialer.scheduler.loop import PACING_KEY

log = logging.getLogger(__name__)

DIALABILITY_MAX_AGE = timedelta(seconds=30)
_DIALABILITY_KEY = "dialer:wallboard:dialability:"


class AbandonLevel(StrEnum):
    """Where an abandonment rate stands: the board turns red past the campaign's target."""

    OK = "ok"
    OVER_TARGET = "over_target"
    OVER_CAP = "over_cap"


def abandon_level(rate: float | None, target: float, cap: float) -> AbandonLevel:
    if rate is None or rate <= target:
        return AbandonLevel.OK
    return AbandonLevel.OVER_CAP if rate > cap else AbandonLevel.OVER_TARGET


@dataclass(frozen=True)
class BoardAgent:
    agent_id: int
    username: str
    display_name: str
    state: AgentState
    since: datetime
    reason: str | None
    # The campaign of the call held (reserved, on call, wrap-up): may be another campaign.
    call_campaign_id: int | None


@dataclass(frozen=True)
class Dialability:
    total: int
    dialable_now: int
    blocked: dict[str, int]
    counted_at: datetime


@dataclass(frozen=True)
class Lines:
    """Worker lines of the whole floor (workers serve every campaign)."""

    workers: int
    total: int
    in_use: int


@dataclass(frozen=True)
class Wallboard:
    campaign: Campaign
    at: datetime
    agents: tuple[BoardAgent, ...]
    # Open attempts by state: queued, dialing, ringing, answered (waiting for an agent or
    # hearing the abandonment message), connected.
    calls: dict[AttemptState, int]
    figures: WallboardFigures
    # The scheduler's last decision for this campaign (None: none in the last minute).
    pacing: dict[str, Any] | None
    dialability: Dialability
    lines: Lines

    def agents_by_state(self) -> dict[AgentState, int]:
        counts: dict[AgentState, int] = {s: 0 for s in AgentState if s is not AgentState.LOGGED_OUT}
        for agent in self.agents:
            counts[agent.state] = counts.get(agent.state, 0) + 1
        return counts

    @property
    def level_today(self) -> AbandonLevel:
        f = self.figures
        return abandon_level(f.rate_today, f.target, f.cap)

    @property
    def level_window(self) -> AbandonLevel:
        f = self.figures
        return abandon_level(f.rate_window, f.target, f.cap)


def read_wallboard(
    conn: Connection, client: redis.Redis, campaign: Campaign, now: datetime
) -> Wallboard:
    """`client` must decode responses to str (dialer.bootstrap.redis_client does)."""
    [figures] = wallboard_figures(conn, [campaign.id], now)
    return Wallboard(
        campaign=campaign,
        at=now,
        agents=campaign_agents(client, campaign.id),
        calls=wallboard_store.open_attempts_by_state(conn, campaign.id),
        figures=figures,
        pacing=last_pacing_decision(client, campaign.id),
        dialability=dialability(conn, client, campaign, now),
        lines=worker_lines(client),
    )


# The campaign's logged-in agents with what the board shows, as one JSON string: one round trip,
# and one C-parsed reply rather than thousands of RESP elements parsed in Python (most of the
# cost of a large floor without hiredis). Keys are read as dialer.agents.scripts.FLOOR reads them.
_BOARD_AGENTS = """
local prefix = ARGV[1]
local rows = {}
for _, id in ipairs(redis.call('SMEMBERS', KEYS[1])) do
    local f = redis.call('HMGET', prefix .. 'agent:' .. id, 'state', 'since', 'reason',
                         'call_campaign', 'username', 'display_name')
    if f[1] then
        table.insert(rows, {id, f[1], f[2] or '', f[3] or '', f[4] or '', f[5] or '',
                            f[6] or ''})
    end
end
if #rows == 0 then return '[]' end
return cjson.encode(rows)
"""


def campaign_agents(client: redis.Redis, campaign_id: int) -> tuple[BoardAgent, ...]:
    """Logged-in agents working the campaign, longest in their state first."""
    script = client.register_script(_BOARD_AGENTS)  # EVALSHA, loading it once if need be
    reply = script(keys=[codec.campaign_agents_key(campaign_id)], args=[codec.PREFIX])
    found = []
    for agent_id, state, since, reason, call_campaign, username, name in json.loads(str(reply)):
        if state == AgentState.LOGGED_OUT:
            continue
        found.append(
            BoardAgent(
                agent_id=int(agent_id),
                username=username or f"agent {agent_id}",
                display_name=name,
                state=AgentState(state),
                since=codec.from_micros(since),
                reason=reason or None,
                call_campaign_id=int(call_campaign) if call_campaign else None,
            )
        )
    return tuple(sorted(found, key=lambda a: (a.since, a.agent_id)))


def last_pacing_decision(client: redis.Redis, campaign_id: int) -> dict[str, Any] | None:
    raw = client.get(PACING_KEY + str(campaign_id))
    if not raw:
        return None
    try:
        found = json.loads(str(raw))
    except json.JSONDecodeError:
        log.warning("wallboard: unreadable pacing state of campaign %s", campaign_id)
        return None
    return found if isinstance(found, dict) else None


def worker_lines(client: redis.Redis) -> Lines:
    workers = worker_registry.live_workers(client)
    total = sum(w.lines_total for w in workers)
    free = sum(min(w.lines_free, w.lines_total) for w in workers)
    return Lines(workers=len(workers), total=total, in_use=total - free)


def dialability(
    conn: Connection,
    client: redis.Redis,
    campaign: Campaign,
    now: datetime,
    max_age: timedelta = DIALABILITY_MAX_AGE,
) -> Dialability:
    """Contacts by blocking rule, counted at most every `max_age` per campaign (any screen
    counts them for all)."""
    key = _DIALABILITY_KEY + str(campaign.id)
    kept = kept_dialability(client.get(key), now, max_age)
    if kept is not None:
        return kept
    counts = claim_store.dialability_counts(conn, campaign, now)
    fresh = Dialability(
        total=counts.total,
        dialable_now=counts.dialable_now,
        blocked={reason.value: count for reason, count in counts.blocked.items()},
        counted_at=now,
    )
    stored = {
        "total": fresh.total,
        "dialable_now": fresh.dialable_now,
        "blocked": fresh.blocked,
        "counted_at": now.isoformat(),
    }
    client.set(key, json.dumps(stored), px=int(max_age.total_seconds() * 1000))
    return fresh


def forget_dialability(client: redis.Redis, campaign_id: int) -> None:
    """Count again on the next read (after a list import or a DNC change, say)."""
    client.delete(_DIALABILITY_KEY + str(campaign_id))


def kept_dialability(raw: object, now: datetime, max_age: timedelta) -> Dialability | None:
    if not raw:
        return None
    try:
        data = json.loads(str(raw))
        counted_at = datetime.fromisoformat(data["counted_at"])
        kept = Dialability(
            total=int(data["total"]),
            dialable_now=int(data["dialable_now"]),
            blocked={str(k): int(v) for k, v in data["blocked"].items()},
            counted_at=counted_at,
        )
    except (ValueError, KeyError, TypeError, AttributeError):
        return None
    # A count from the future (a test's clock, a clock step) or too old is counted again.
    return kept if timedelta(0) <= now - counted_at <= max_age else None
