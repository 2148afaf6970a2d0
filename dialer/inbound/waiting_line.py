"""The callers waiting in one queue, across every inbound process, in arrival order (Redis).

A sorted set per queue holds the waiting calls scored by their offer time; only the call at the
head may claim an agent, so callers are served first come, first served even when they wait in
different processes. A waiting call refreshes a short-lived "alive" key; a head whose key has
expired belonged to a process that died, and is dropped so it cannot block the line.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import cast

import redis

PREFIX = "dialer:inbound"
ALIVE_S = 5


def _line_key(queue_id: int) -> str:
    return f"{PREFIX}:line:{queue_id}"


def _alive_key(call_id: int) -> str:
    return f"{PREFIX}:alive:{call_id}"


@dataclass(frozen=True)
class Place:
    position: int  # 0: at the head
    waiting: int  # callers in the line, this one included


class WaitingLine:
    def __init__(self, client: redis.Redis, queue_id: int) -> None:
        self.redis = client
        self.key = _line_key(queue_id)

    def join(self, call_id: int, offered_epoch_s: float) -> None:
        """Join (or rejoin after an agent did not answer) at the place of the offer time."""
        with self.redis.pipeline() as pipe:
            pipe.set(_alive_key(call_id), 1, ex=ALIVE_S)
            pipe.zadd(self.key, {str(call_id): offered_epoch_s})
            pipe.execute()

    def leave(self, call_id: int) -> None:
        with self.redis.pipeline() as pipe:
            pipe.zrem(self.key, str(call_id))
            pipe.delete(_alive_key(call_id))
            pipe.execute()

    def place(self, call_id: int) -> Place | None:
        """Where the call stands (refreshing its alive key); dead heads are dropped first."""
        self.redis.set(_alive_key(call_id), 1, ex=ALIVE_S)
        while True:
            head = cast(list[bytes], self.redis.zrange(self.key, 0, 0))
            if not head or int(head[0]) == call_id:
                break
            if self.redis.exists(_alive_key(int(head[0]))):
                break
            self.redis.zrem(self.key, head[0])
        with self.redis.pipeline() as pipe:
            pipe.zrank(self.key, str(call_id))
            pipe.zcard(self.key)
            rank, size = pipe.execute()
        if rank is None:
            return None
        return Place(int(rank), int(size))

    def size(self) -> int:
        return int(self.redis.zcard(self.key))
