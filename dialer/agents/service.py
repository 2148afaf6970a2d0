"""The agents' live state as a service: Redis decides, PostgreSQL remembers, pages are told.

Every change runs the same way: the transition is applied in Redis (atomically, see live_state),
then its history row is written to PostgreSQL and an `agent_state` event goes to the live events
stream. Redis first, because the live state is what the hand-off must never get wrong; if
PostgreSQL cannot take the row just then, the row waits in a Redis backlog and the next `tick`
writes it (rows carry their change number, so late rows still land in order).

Callers: the worker's hand-off (claim, connected, release, ended), the console and the CLI (login,
ready, pause, logout; dispositions in dialer.agents.dispositions), the scheduler loop (`tick` every
second or so, `floors` for the pacing).
"""

from __future__ import annotations

import logging
import os
import socket
from collections.abc import Iterable, Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Protocol

import psycopg
import redis
from psycopg_pool import PoolTimeout

from campaigns.agent_history import StateChange
from campaigns.agents import AgentState
from campaigns.campaign import CampaignSpec
from campaigns.errors import CampaignsError, Conflict, ValidationError
from campaigns.storage import agent_history_store, agent_store, campaign_store, pause_code_store
from campaigns.storage.db import Connection, DatabaseUnavailable
from dialer import live_events
from dialer.agents.codec import AgentProfile
from dialer.agents.errors import IllegalTransition, NotHoldingAttempt
from dialer.agents.floor import CampaignFloor, floor_of
from dialer.agents.live_state import Applied, LiveState
from dialer.agents.model import (
    AgentEvent,
    CallConnected,
    CallEnded,
    DispositionSubmitted,
    LiveStatus,
    LoggedIn,
    LoggedOut,
    Paused,
    PhoneNotAnswering,
    PreviewHoldExpired,
    ReservationReleased,
    StateChanged,
    WentReady,
    WrapUpExpired,
)
from dialer.agents.rebuild import plan_rebuild

log = logging.getLogger(__name__)

# PostgreSQL is away for the moment (restart, network): the history row can wait in the backlog.
_DATABASE_AWAY = (psycopg.OperationalError, DatabaseUnavailable, PoolTimeout)
# History rows written per tick from the backlog.
BACKLOG_BATCH = 500
# When the campaign cannot be read, wrap-up lasts the default limit.
DEFAULT_WRAP_UP = timedelta(seconds=CampaignSpec.wrapup_limit_s)


class ConnectionSource(Protocol):
    """Where the service gets a connection: a psycopg_pool.ConnectionPool, or OneConnection."""

    def connection(self) -> AbstractContextManager[Connection]: ...


class OneConnection:
    """One connection as a ConnectionSource (the CLI, tests). Connections are in autocommit
    mode (campaigns.storage.db): each store call commits its own transaction."""

    def __init__(self, conn: Connection) -> None:
        self._conn = conn

    @contextmanager
    def connection(self) -> Iterator[Connection]:
        yield self._conn


class HandBack(StrEnum):
    """How a worker hands back an agent it claimed (the call flow's AgentRelease values)."""

    TALKED = "talked"  # had the call: wrap-up
    NOT_ANSWERING = "not_answering"  # the phone failed or did not answer in time: paused
    UNUSED = "unused"  # the customer went away before the agent answered: ready, same place
    HOLD_EXPIRED = "hold_expired"  # a preview was neither dialed nor skipped in time: paused


@dataclass(frozen=True)
class ClaimedAgent:
    """The agent reserved for an answered call: ring `sip_uri`."""

    agent_id: int
    username: str
    display_name: str
    sip_uri: str
    attempt_id: int
    campaign_id: int


@dataclass(frozen=True)
class TickReport:
    rebuilt: bool
    history_written: int
    wrap_ups_expired: int


class AgentService:
    def __init__(self, client: redis.Redis, db: ConnectionSource) -> None:
        self.redis = client
        self.live = LiveState(client)
        self.db = db

    # The agent's own session: console, CLI, robots.

    def login(
        self, agent_id: int, now: datetime, campaign_ids: Iterable[int] | None = None
    ) -> LiveStatus:
        """Log in to the given campaigns (default: every campaign the agent may work); the agent
        starts paused ("login") and goes ready with `ready`."""
        with self.db.connection() as conn:
            agent = agent_store.get_agent(conn, agent_id)
            seq = agent_history_store.last_seq(conn, agent_id)
        allowed = frozenset(agent.spec.campaign_ids)
        wanted = allowed if campaign_ids is None else frozenset(campaign_ids)
        if agent.disabled:
            raise Conflict(f"agent {agent.username!r} is disabled")
        if not wanted:
            raise ValidationError([f"campaigns: {agent.username!r} may work no campaign yet"])
        forbidden = sorted(wanted - allowed)
        if forbidden:
            raise ValidationError([f"campaigns: {agent.username!r} may not work {forbidden}"])
        profile = AgentProfile(agent.id, agent.username, agent.display_name, agent.spec.sip_uri)
        return self._apply(agent_id, LoggedIn(wanted, now), profile=profile, seq=seq).status

    def ready(self, agent_id: int, now: datetime) -> LiveStatus:
        return self._apply(agent_id, WentReady(now)).status

    def pause(self, agent_id: int, reason: str, now: datetime) -> LiveStatus:
        """Pause now, or once the current call is over when the agent holds one."""
        self.check_pause_reason(reason)
        return self._apply(agent_id, Paused(reason, now)).status

    def logout(self, agent_id: int, now: datetime) -> LiveStatus:
        """Log out now, or once the current call is over when the agent holds one."""
        return self._apply(agent_id, LoggedOut(now)).status

    # The worker's hand-off.

    def claim(
        self,
        campaign_id: int,
        attempt_id: int,
        now: datetime,
        only_agent_id: int | None = None,
        yield_to_inbound: bool = False,
        until: datetime | None = None,
    ) -> ClaimedAgent | None:
        """Reserve the longest-idle ready agent of the campaign for this answered call; None when
        no agent is ready. One Lua script: no agent is ever given two calls. `only_agent_id`:
        that agent or nobody (a callback promised by one agent, contacts.callback_agent_id).
        `yield_to_inbound` (an outbound answer): pass over the agents that waiting inbound
        callers will be given next (dialer.agents.scripts), so inbound calls come first.
        `until` (an answer that may wait until then): wait in the campaign's line, earliest
        deadline first; call `leave_line` if the attempt ends while it waits."""
        claimed = self.live.claim(
            campaign_id, attempt_id, now, only_agent_id, yield_to_inbound, until
        )
        if claimed is None:
            return None
        effect = StateChanged(AgentState.READY, claimed.status.change())
        self._carry_out(Applied(claimed.profile, claimed.status, (effect,)))
        profile = claimed.profile
        return ClaimedAgent(
            profile.agent_id,
            profile.username,
            profile.display_name,
            profile.sip_uri,
            attempt_id,
            campaign_id,
        )

    def leave_line(self, campaign_id: int, attempt_id: int) -> None:
        self.live.leave_line(campaign_id, attempt_id)

    def reserved_for(self, agent_id: int, attempt_id: int) -> ClaimedAgent | None:
        """The agent, if they are reserved for this very attempt (a preview or manual dial
        reserves its agent before the call is placed); None otherwise."""
        profile, status = self.live.profile_and_status(agent_id)
        if status.state is not AgentState.RESERVED or status.attempt_id != attempt_id:
            return None
        assert status.call_campaign_id is not None
        return ClaimedAgent(
            profile.agent_id,
            profile.username,
            profile.display_name,
            profile.sip_uri,
            attempt_id,
            status.call_campaign_id,
        )

    def connected(self, agent_id: int, attempt_id: int, now: datetime) -> bool:
        """The agent answered and is bridged: on call. False if they no longer hold the call.
        On call with it already (joined a three-way call, now taking it over): nothing to do."""
        status = self.live.status(agent_id)
        if status.state is AgentState.ON_CALL and status.attempt_id == attempt_id:
            return True
        return self._hand(agent_id, CallConnected(attempt_id, now))

    def release(self, agent_id: int, attempt_id: int, how: HandBack, now: datetime) -> bool:
        """Hand back a claimed agent (see HandBack); False if they no longer hold the call."""
        if how is HandBack.TALKED:
            return self.ended(agent_id, attempt_id, now)
        if how is HandBack.NOT_ANSWERING:
            return self._hand(agent_id, PhoneNotAnswering(attempt_id, now))
        if how is HandBack.HOLD_EXPIRED:
            return self._hand(agent_id, PreviewHoldExpired(attempt_id, now))
        return self._hand(agent_id, ReservationReleased(attempt_id, now))

    def ended(
        self, agent_id: int, attempt_id: int, now: datetime, reason: str | None = None
    ) -> bool:
        """The call is over: wrap-up, for the campaign's wrap-up limit at most; ``reason``
        (e.g. "transferred") is kept on the wrap-up and its history row."""
        limit = self._wrap_up_limit(self.live.status(agent_id).call_campaign_id)
        return self._hand(agent_id, CallEnded(attempt_id, limit, now, reason))

    def finish_wrap_up(
        self, agent_id: int, attempt_id: int, now: datetime, pause_reason: str | None = None
    ) -> LiveStatus:
        """The agent's disposition is stored: leave wrap-up (ready, or paused when asked)."""
        if pause_reason is not None:
            self.check_pause_reason(pause_reason)
        return self._apply(agent_id, DispositionSubmitted(attempt_id, now, pause_reason)).status

    # The scheduler loop.

    def tick(self, now: datetime) -> TickReport:
        """Periodic duties: rebuild a lost live state, write waiting history, end wrap-ups."""
        rebuilt = self.ensure_built(now)
        written = self.write_backlog()
        expired = self.expire_wrap_ups(now)
        return TickReport(rebuilt, written, len(expired))

    def expire_wrap_ups(self, now: datetime) -> list[LiveStatus]:
        """Agents whose wrap-up limit has passed go ready (or to the pause they asked for)."""
        done = []
        for agent_id in self.live.wrap_ups_due(now):
            try:
                done.append(self._apply(agent_id, WrapUpExpired(now)).status)
            except IllegalTransition as refused:
                # Disposition submitted meanwhile, or the limit was moved: nothing to expire.
                log.debug("wrap-up of agent %s not expired: %s", agent_id, refused)
        return done

    def ensure_built(self, now: datetime) -> bool:
        """Build the live state from PostgreSQL if Redis has none; True if it did."""
        if self.live.is_built():
            return False
        owner = f"{socket.gethostname()}:{os.getpid()}"
        if not self.live.lock_rebuild(owner):
            return False  # another process is building it
        try:
            if self.live.is_built():
                return False
            with self.db.connection() as conn:
                agents = agent_store.list_agents(conn)
                last = {s.agent_id: s for s in agent_history_store.last_states(conn)}
            plan = plan_rebuild(agents, last, now)
            self.live.replace_all(((r.profile, r.status) for r in plan), now)
            self._record([r.change for r in plan if r.change is not None])
            log.info("agents' live state built from PostgreSQL: %d agents", len(plan))
            return True
        finally:
            self.live.unlock_rebuild()

    def write_backlog(self) -> int:
        """Write history rows that waited for PostgreSQL; they go back if it is still away."""
        changes = self.live.pop_backlog(BACKLOG_BATCH)
        if changes and self._record(changes):
            return len(changes)
        return 0

    def check_pause_reason(self, reason: str) -> None:
        """ValidationError unless `reason` is one of the pause codes."""
        with self.db.connection() as conn:
            codes = {code.code for code in pause_code_store.list_pause_codes(conn)}
        if reason not in codes:
            raise ValidationError(
                [f"reason: {reason!r} is not a pause code ({', '.join(sorted(codes))})"]
            )

    # Reads.

    def status(self, agent_id: int) -> LiveStatus:
        return self.live.status(agent_id)

    def floors(self, campaign_ids: Sequence[int], now: datetime) -> dict[int, CampaignFloor]:
        """The pacing's read: each campaign's logged-in agents by state and time in state."""
        rows = self.live.floors(campaign_ids)
        return {campaign_id: floor_of(campaign_id, rows[campaign_id], now) for campaign_id in rows}

    # Internals.

    def _hand(self, agent_id: int, event: AgentEvent) -> bool:
        try:
            self._apply(agent_id, event)
        except NotHoldingAttempt as stale:
            log.warning("hand-back ignored: %s", stale)
            return False
        return True

    def _apply(
        self,
        agent_id: int,
        event: AgentEvent,
        profile: AgentProfile | None = None,
        seq: int = 0,
    ) -> Applied:
        applied = self.live.apply(agent_id, event, profile, seq)
        self._carry_out(applied)
        return applied

    def _carry_out(self, applied: Applied) -> None:
        changes = [e.change for e in applied.effects if isinstance(e, StateChanged)]
        self._record(changes)
        for effect in applied.effects:
            previous = effect.previous if isinstance(effect, StateChanged) else None
            live_events.publish(self.redis, _event(applied, previous))

    def _record(self, changes: list[StateChange]) -> bool:
        """Write history rows; on a database outage keep them in the backlog. True if written."""
        if not changes:
            return True
        try:
            with self.db.connection() as conn:
                agent_history_store.record_changes(conn, changes)
        except _DATABASE_AWAY as away:
            log.warning("history of %d agent change(s) kept for later: %s", len(changes), away)
            self.live.push_backlog(changes)
            return False
        return True

    def _wrap_up_limit(self, campaign_id: int | None) -> timedelta:
        if campaign_id is None:
            return DEFAULT_WRAP_UP
        try:
            with self.db.connection() as conn:
                spec = campaign_store.get_campaign(conn, campaign_id).spec
        except (*_DATABASE_AWAY, CampaignsError) as unknown:
            log.warning("campaign %s unreadable, default wrap-up limit: %s", campaign_id, unknown)
            return DEFAULT_WRAP_UP
        return timedelta(seconds=spec.wrapup_limit_s)


def _event(applied: Applied, previous: AgentState | None) -> live_events.AgentStateChanged:
    status, after = applied.status, applied.status.after_call
    return live_events.AgentStateChanged(
        agent_id=status.agent_id,
        username=applied.profile.username,
        state=status.state.value,
        previous=(previous or status.state).value,
        since=status.since,
        seq=status.seq,
        reason=status.reason,
        campaign_id=status.change().campaign_id,
        campaigns=tuple(sorted(status.campaigns)),
        attempt_id=status.attempt_id,
        after_call=after.state.value if after else None,
        after_call_reason=after.reason if after else None,
    )
