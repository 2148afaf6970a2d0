"""The agents' live state in Redis: transitions applied atomically, the claim, the reads.

Every change but the claim goes through `apply`: read the agent's hash under WATCH, run the pure
machine, write the new status and its queue memberships in one MULTI. If anything else changed the
hash meanwhile (the claim script, another process), Redis refuses the MULTI and we start over from
the new status, so two changes of one agent never interleave. The claim is a Lua script (scripts.py)
because it must pick the agent and reserve it with no gap in between.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import cast

import redis
from redis.client import Pipeline
from redis.typing import EncodableT, FieldT

from campaigns.agent_history import StateChange
from campaigns.agents import AgentState
from dialer.agents import codec
from dialer.agents.codec import AgentProfile
from dialer.agents.machine import transition
from dialer.agents.model import AgentEvent, Effect, LiveStatus
from dialer.agents.scripts import CLAIM, FLOOR

# A rebuild that dies half way must not block the next one for long.
REBUILD_LOCK_TTL = timedelta(seconds=60)


@dataclass(frozen=True)
class Claimed:
    """The agent a claim reserved, as the claim script left it."""

    profile: AgentProfile
    status: LiveStatus


@dataclass(frozen=True)
class Applied:
    """An event applied: the agent's profile copy, the new status, what the caller must do."""

    profile: AgentProfile
    status: LiveStatus
    effects: tuple[Effect, ...]


@dataclass(frozen=True)
class FloorRow:
    """One logged-in agent as the pacing reads it."""

    agent_id: int
    state: AgentState
    since: datetime
    reason: str | None
    attempt_id: int | None
    call_campaign_id: int | None
    campaigns: frozenset[int]


class LiveState:
    def __init__(self, client: redis.Redis) -> None:
        """`client` must decode responses to str (dialer.bootstrap.redis_client does)."""
        self._redis = client
        self._claim = client.register_script(CLAIM)
        self._floor = client.register_script(FLOOR)

    def apply(
        self, agent_id: int, event: AgentEvent, profile: AgentProfile | None = None, seq: int = 0
    ) -> Applied:
        """Run the machine on the stored status and store the result; `profile` refreshes the
        copy of the agent's profile, `seq` is the count of changes of an agent with no hash yet
        (from the history). Raises IllegalTransition and leaves Redis untouched."""
        key = codec.agent_key(agent_id)
        with self._redis.pipeline() as pipe:
            while True:
                try:
                    pipe.watch(key)  # type: ignore[no-untyped-call]
                    fields = cast(dict[str, str], pipe.hgetall(key))
                    current = (
                        codec.decode(agent_id, fields) if fields else LiveStatus(agent_id, seq=seq)
                    )
                    status, effects = transition(current, event)
                    applied = Applied(
                        profile or codec.decode_profile(agent_id, fields), status, effects
                    )
                    if not effects:
                        pipe.unwatch()
                        return applied
                    pipe.multi()
                    _write(pipe, current, status, profile)
                    pipe.execute()
                    return applied
                except redis.WatchError:
                    continue

    def claim(
        self,
        campaign_id: int,
        attempt_id: int,
        at: datetime,
        only_agent_id: int | None = None,
        yield_to_inbound: bool = False,
        until: datetime | None = None,
    ) -> Claimed | None:
        wanted = "" if only_agent_id is None else str(only_agent_id)
        yielding = "1" if yield_to_inbound else ""
        # A named agent is that agent or nobody: such a claim never waits in the line.
        deadline = "" if until is None or only_agent_id is not None else codec.micros(until)
        reply = self._claim(
            keys=[codec.ready_key(campaign_id)],
            args=[
                codec.PREFIX,
                attempt_id,
                campaign_id,
                codec.micros(at),
                wanted,
                yielding,
                deadline,
            ],
        )
        if reply is None:
            return None
        flat = cast(list[str], reply)
        fields = dict(zip(flat[::2], flat[1::2], strict=True))
        agent_id = int(fields["agent_id"])
        return Claimed(codec.decode_profile(agent_id, fields), codec.decode(agent_id, fields))

    def leave_line(self, campaign_id: int, attempt_id: int) -> None:
        """The answer stopped waiting for an agent (its call ended): give its place up now."""
        self._redis.zrem(codec.answers_waiting_key(campaign_id), str(attempt_id))

    def status(self, agent_id: int) -> LiveStatus:
        fields = cast(dict[str, str], self._redis.hgetall(codec.agent_key(agent_id)))
        return codec.decode(agent_id, fields)

    def profile_and_status(self, agent_id: int) -> tuple[AgentProfile, LiveStatus]:
        fields = cast(dict[str, str], self._redis.hgetall(codec.agent_key(agent_id)))
        return codec.decode_profile(agent_id, fields), codec.decode(agent_id, fields)

    def logged_in(self) -> list[tuple[AgentProfile, LiveStatus]]:
        """Every logged-in agent, by id (the CLI's and the wallboard's view)."""
        ids = sorted(int(i) for i in cast(set[str], self._redis.smembers(codec.LOGGED_IN)))
        with self._redis.pipeline(transaction=False) as pipe:
            for agent_id in ids:
                pipe.hgetall(codec.agent_key(agent_id))
            replies = cast(list[dict[str, str]], pipe.execute())
        return [
            (codec.decode_profile(i, f), codec.decode(i, f))
            for i, f in zip(ids, replies, strict=True)
            if f
        ]

    def floors(self, campaign_ids: Sequence[int]) -> dict[int, list[FloorRow]]:
        """The logged-in agents of each campaign, in one round trip."""
        if not campaign_ids:
            return {}
        reply = cast(
            list[list[list[str]]],
            self._floor(
                keys=[codec.campaign_agents_key(c) for c in campaign_ids], args=[codec.PREFIX]
            ),
        )
        return {
            campaign_id: [_floor_row(row) for row in rows if row[1]]
            for campaign_id, rows in zip(campaign_ids, reply, strict=True)
        }

    def wrap_ups_due(self, at: datetime) -> list[int]:
        due = self._redis.zrangebyscore(codec.WRAP_UP, "-inf", codec.micros(at))
        return [int(agent_id) for agent_id in cast(list[str], due)]

    # Rebuild support (dialer.agents.rebuild).

    def is_built(self) -> bool:
        return bool(self._redis.exists(codec.BUILT))

    def lock_rebuild(self, owner: str) -> bool:
        ttl = int(REBUILD_LOCK_TTL.total_seconds())
        return bool(self._redis.set(codec.REBUILD_LOCK, owner, nx=True, ex=ttl))

    def unlock_rebuild(self) -> None:
        self._redis.delete(codec.REBUILD_LOCK)

    def replace_all(
        self, agents: Iterable[tuple[AgentProfile, LiveStatus]], built_at: datetime
    ) -> None:
        """Drop every live key but the backlog and the lock, write these agents, mark it built."""
        keep = {codec.HISTORY_BACKLOG, codec.REBUILD_LOCK}
        stale = [
            k for k in self._redis.scan_iter(match=f"{codec.PREFIX}*", count=500) if k not in keep
        ]
        with self._redis.pipeline() as pipe:
            if stale:
                pipe.delete(*stale)
            for profile, status in agents:
                _write(pipe, codec.decode(status.agent_id, {}), status, profile)
            pipe.set(codec.BUILT, built_at.isoformat())
            pipe.execute()

    # The history backlog (dialer.agents.service).

    def push_backlog(self, changes: Iterable[StateChange]) -> None:
        rows = [codec.change_to_json(change) for change in changes]
        if rows:
            self._redis.rpush(codec.HISTORY_BACKLOG, *rows)

    def pop_backlog(self, most: int) -> list[StateChange]:
        """Take up to `most` rows off the backlog (atomically: two callers never get the same)."""
        rows = self._redis.lpop(codec.HISTORY_BACKLOG, most)
        return [codec.change_from_json(row) for row in cast(list[str] | None, rows) or []]


def _write(pipe: Pipeline, old: LiveStatus, new: LiveStatus, profile: AgentProfile | None) -> None:
    """The new status and everything derived from it: ready queues, logged-in sets, wrap-up."""
    agent_id = new.agent_id
    member = str(agent_id)
    fields = codec.encode(new) | (profile.fields() if profile else {})
    pipe.hset(codec.agent_key(agent_id), mapping=cast("Mapping[FieldT, EncodableT]", fields))
    for campaign_id in old.campaigns | new.campaigns:
        ready = codec.ready_key(campaign_id)
        if new.state is AgentState.READY and campaign_id in new.campaigns:
            assert new.idle_since is not None
            pipe.zadd(ready, {member: codec.micros(new.idle_since)})
        else:
            pipe.zrem(ready, member)
        if campaign_id not in new.campaigns:
            pipe.srem(codec.campaign_agents_key(campaign_id), member)
    for campaign_id in new.campaigns:
        pipe.sadd(codec.campaign_agents_key(campaign_id), member)
    if new.state is AgentState.LOGGED_OUT:
        pipe.srem(codec.LOGGED_IN, member)
    else:
        pipe.sadd(codec.LOGGED_IN, member)
    if new.state is AgentState.WRAP_UP:
        assert new.wrap_up_until is not None
        pipe.zadd(codec.WRAP_UP, {member: codec.micros(new.wrap_up_until)})
    else:
        pipe.zrem(codec.WRAP_UP, member)


def _floor_row(row: Sequence[str]) -> FloorRow:
    agent_id, state, since, reason, attempt, call_campaign, campaigns = row
    return FloorRow(
        agent_id=int(agent_id),
        state=AgentState(state),
        since=codec.from_micros(since),
        reason=reason or None,
        attempt_id=int(attempt) if attempt else None,
        call_campaign_id=int(call_campaign) if call_campaign else None,
        campaigns=codec.parse_ids(campaigns),
    )
