"""Server-sent events from the live events stream (dialer.live_events), filtered per viewer.

Each SSE message carries the stream entry's id, so a browser's EventSource that reconnects sends
it back as Last-Event-ID and reads on from there: nothing is missed while it was away, as long
as the capped stream still holds it. Between events a comment line goes out after each empty
blocking read: it keeps proxies from closing an idle connection and, because a write to a gone
client fails, frees the server thread of a closed page within one read.

A stream ends after MAX_AGE; the browser reconnects by itself (with Last-Event-ID). That bounds
how long a thread serves one page without the session being checked again (sign-out, expiry,
a disabled user), and lets rolling restarts drain.
"""

from __future__ import annotations

import json
import logging
import re
import time
from collections.abc import Iterator
from dataclasses import dataclass

import redis

from dialer import live_events
from dialer.live_events import EventType, StreamedEvent

log = logging.getLogger(__name__)

MAX_AGE_S = 300.0
# The browser waits this long before reconnecting after a stream ends or breaks.
RETRY_MS = 2000
_STREAM_ID = re.compile(r"^[0-9]{1,20}(-[0-9]{1,20})?$")


@dataclass(frozen=True)
class Viewer:
    """What one SSE connection may see: an agent only their own state and calls (agent_id set);
    a manager everything, or one campaign's."""

    agent_id: int | None = None
    campaign_id: int | None = None

    def sees(self, event: StreamedEvent) -> bool:
        data = event.data
        # An agent sees only events that name them: their state changes, their calls connected
        # and ended. Answers and abandons name no agent, so an agent never sees others' calls.
        if self.agent_id is not None and data.get("agent_id") != self.agent_id:
            return False
        if self.campaign_id is None:
            return True
        if event.type is EventType.AGENT_STATE:
            campaigns = data.get("campaigns") or []
            return self.campaign_id in campaigns or data.get("campaign_id") == self.campaign_id
        return bool(data.get("campaign_id") == self.campaign_id)


def valid_start(last_id: str | None) -> str | None:
    """A Last-Event-ID we can read on from, or None when it is not a stream id."""
    if last_id is None:
        return None
    last_id = last_id.strip()
    return last_id if _STREAM_ID.match(last_id) else None


def message(event: StreamedEvent) -> str:
    data = json.dumps(event.data, separators=(",", ":"))
    return f"id: {event.id}\nevent: {event.type.value}\ndata: {data}\n\n"


def stream(
    client: redis.Redis,
    viewer: Viewer,
    start: str,
    block_ms: int,
    max_age_s: float = MAX_AGE_S,
) -> Iterator[str]:
    """SSE text, from the entry after `start` ("$": only new events) until `max_age_s`."""
    yield f"retry: {RETRY_MS}\n: connected\n\n"
    last = start
    if last == "$":
        # Pin "now" to a real id, so events published between our reads are not skipped.
        newest = client.xrevrange(live_events.STREAM, count=1)
        last = str(newest[0][0]) if newest else "0-0"
    ends = time.monotonic() + max_age_s
    while time.monotonic() < ends:
        try:
            events = live_events.read_after(client, last, block_ms=block_ms)
        except redis.RedisError as error:
            # The page reconnects in RETRY_MS and resumes from the last id it saw.
            log.warning("event stream: Redis error, closing the stream: %s", error)
            return
        if not events:
            yield ": keep-alive\n\n"
            continue
        last = events[-1].id
        shown = [message(event) for event in events if viewer.sees(event)]
        # Even when every event was filtered out, write something: a gone client shows up.
        yield "".join(shown) or ": keep-alive\n\n"
