"""Events for live pages and the pacing: what happened to agents and calls, as small JSON.

One capped Redis Stream, `dialer:events`, rather than pub/sub: a page that connects late, or a
server-sent-events handler that reconnects, reads on from the last id it saw (XREAD), or from the
last few hundred entries, instead of missing what happened while it was away. The stream keeps
about STREAM_LENGTH entries (trimmed approximately, which is cheap), a few minutes of a busy floor:
enough to catch up, not a log (PostgreSQL keeps the durable record).

Each entry has two fields: `type` (EventType) and `data` (the event's JSON object).
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any, ClassVar, cast

import redis

STREAM = "dialer:events"
STREAM_LENGTH = 10_000


class EventType(StrEnum):
    AGENT_STATE = "agent_state"
    CALL_ANSWERED = "call_answered"
    CALL_CONNECTED = "call_connected"
    CALL_ABANDONED = "call_abandoned"
    CALL_ENDED = "call_ended"
    CALL_NOTICE = "call_notice"


@dataclass(frozen=True)
class AgentStateChanged:
    """An agent's state, or the pause/log-out they asked for after their call, changed."""

    type: ClassVar[EventType] = EventType.AGENT_STATE
    agent_id: int
    username: str
    state: str
    previous: str
    since: datetime
    seq: int
    reason: str | None = None
    campaign_id: int | None = None
    campaigns: tuple[int, ...] = ()
    attempt_id: int | None = None
    # "paused" or "logged_out" once the current call is over; None: ready again.
    after_call: str | None = None
    after_call_reason: str | None = None


@dataclass(frozen=True)
class CallAnswered:
    type: ClassVar[EventType] = EventType.CALL_ANSWERED
    attempt_id: int
    campaign_id: int
    at: datetime


@dataclass(frozen=True)
class CallConnected:
    """The customer is bridged to an agent."""

    type: ClassVar[EventType] = EventType.CALL_CONNECTED
    attempt_id: int
    campaign_id: int
    agent_id: int
    at: datetime


@dataclass(frozen=True)
class CallAbandoned:
    """No agent in time: the abandonment message started."""

    type: ClassVar[EventType] = EventType.CALL_ABANDONED
    attempt_id: int
    campaign_id: int
    at: datetime


@dataclass(frozen=True)
class CallEnded:
    type: ClassVar[EventType] = EventType.CALL_ENDED
    attempt_id: int
    campaign_id: int
    outcome: str
    at: datetime
    agent_id: int | None = None


@dataclass(frozen=True)
class CallNotice:
    """Something the agent on a call must read: a refused call action (no free line for a
    transfer) or what became of a transfer (busy, no answer: the customer is back). With no
    agent id it is for supervisors (listen, whisper, barge): agents' streams never carry it."""

    type: ClassVar[EventType] = EventType.CALL_NOTICE
    attempt_id: int
    campaign_id: int
    agent_id: int | None
    message: str
    at: datetime


LiveEvent = (
    AgentStateChanged | CallAnswered | CallConnected | CallAbandoned | CallEnded | CallNotice
)


@dataclass(frozen=True)
class StreamedEvent:
    """An event read back: its stream id (pass it to read on), type and JSON data."""

    id: str
    type: EventType
    data: dict[str, Any] = field(default_factory=dict)


def to_json(event: LiveEvent) -> str:
    """The event's fields and its type, one JSON object (what a server-sent event carries)."""
    return json.dumps(
        {"type": event.type.value, **asdict(event)}, default=_iso, separators=(",", ":")
    )


def publish(client: redis.Redis, event: LiveEvent) -> str:
    """Append the event to the stream; returns its id."""
    entry_id = client.xadd(
        STREAM,
        {"type": event.type.value, "data": to_json(event)},
        maxlen=STREAM_LENGTH,
        approximate=True,
    )
    return str(entry_id)


def read_after(
    client: redis.Redis, last_id: str = "$", block_ms: int | None = None, count: int = 100
) -> list[StreamedEvent]:
    """Events after `last_id` ("$": only new ones; "0": everything kept), waiting up to
    `block_ms` for the first one when none is there yet."""
    reply: Any = client.xread({STREAM: last_id}, count=count, block=block_ms)
    # RESP2 answers [[stream, entries]], RESP3 {stream: entries}; one stream was asked for.
    streams = list(reply.values()) if isinstance(reply, dict) else [e for _, e in reply or []]
    entries = cast(list[tuple[str, dict[str, str]]], streams[0] if streams else [])
    return [_streamed(entry_id, fields) for entry_id, fields in entries]


def latest(client: redis.Redis, count: int = 100) -> list[StreamedEvent]:
    """The last `count` events, oldest first: what a page shows when it opens."""
    entries = cast(list[tuple[str, dict[str, str]]], client.xrevrange(STREAM, count=count))
    return [_streamed(entry_id, fields) for entry_id, fields in reversed(entries)]


def _streamed(entry_id: str, fields: dict[str, str]) -> StreamedEvent:
    return StreamedEvent(entry_id, EventType(fields["type"]), json.loads(fields["data"]))


def _iso(value: object) -> str:
    if isinstance(value, datetime):
        return value.isoformat()
    raise TypeError(f"cannot serialise {type(value).__name__}")
