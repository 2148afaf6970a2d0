"""One campaign's wallboard: every live figure a supervisor watches, read in one go.

Nothing here is computed twice: the agents' states come from their live state in Redis, the
dial level and the pacing's reason from the scheduler's last published decision, the worker
lines from the workers' heartbeats, the calls in progress from the open attempts, the 15-minute
and abandonment figures from the wallboard query over attempts and the day rollup, and the
dialable contacts from the same counts as `dialer campaign status`, the inbound queues from their
waiting lines and recent handle times (dialer.inbound.queue_board).

Everything is read fresh on every update but the dialable contacts, whose count scans the whole
list (dialer.wallboard_contacts keeps it and recounts it in the background).
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

import redis

from campaigns.agents import AgentState
from campaigns.attempt import AttemptState
from campaigns.campaign import Campaign
from campaigns.report_rows import WallboardFigures
from campaigns.storage import wallboard_store
from campaigns.storage.db import Connection
from campaigns.storage.reports.wallboard import wallboard_figures
from dialer import worker_registry
from dialer.agents import codec
from dialer.inbound.queue_board import QueueBoard, queue_boards
from dialer.scheduler.published import PACING_KEY
from dialer.wallboard_contacts import ContactCounter, Dialability

log = logging.getLogger(__name__)


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
    # The call the agent holds (a supervisor listens in to it); None when there is none.
    attempt_id: int | None = None


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
    # The campaign's inbound queues: callers waiting, their places and estimated waits.
    queues: tuple[QueueBoard, ...] = ()

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
    conn: Connection,
    client: redis.Redis,
    contacts: ContactCounter,
    campaign: Campaign,
    now: datetime,
) -> Wallboard:
    """`client` must decode responses to str (dialer.bootstrap.redis_client does)."""
    [figures] = wallboard_figures(conn, [campaign.id], now)
    agents = campaign_agents(client, campaign.id)
    return Wallboard(
        campaign=campaign,
        at=now,
        agents=agents,
        calls=wallboard_store.open_attempts_by_state(conn, campaign.id),
        figures=figures,
        pacing=last_pacing_decision(client, campaign.id),
        dialability=contacts.read(conn, campaign, now),
        lines=worker_lines(client),
        queues=queue_boards(conn, client, campaign.id, (a.state for a in agents), now),
    )


# The campaign's logged-in agents with what the board shows, as one JSON string: one round trip,
# and one C-parsed reply rather than thousands of RESP elements parsed in Python (most of the
# cost of a large floor without hiredis). Keys are read as dialer.agents.scripts.FLOOR reads them.
_BOARD_AGENTS = """
local prefix = ARGV[1]
local rows = {}
for _, id in ipairs(redis.call('SMEMBERS', KEYS[1])) do
    local f = redis.call('HMGET', prefix .. 'agent:' .. id, 'state', 'since', 'reason',
                         'call_campaign', 'username', 'display_name', 'attempt')
    if f[1] then
        table.insert(rows, {id, f[1], f[2] or '', f[3] or '', f[4] or '', f[5] or '',
                            f[6] or '', f[7] or ''})
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
    for row in json.loads(str(reply)):
        agent_id, state, since, reason, call_campaign, username, name, attempt = row
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
                attempt_id=int(attempt) if attempt else None,
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
