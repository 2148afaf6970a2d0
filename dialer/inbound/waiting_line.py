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


_PLACE = """
local line, alive, me = KEYS[1], ARGV[1], ARGV[2]
redis.call('SET', alive .. me, 1, 'EX', tonumber(ARGV[3]))
while true do
  local head = redis.call('ZRANGE', line, 0, 0)[1]
  if not head or head == me or redis.call('EXISTS', alive .. head) == 1 then break end
  redis.call('ZREM', line, head)
end
local rank = redis.call('ZRANK', line, me)
if not rank then return nil end
return {rank, redis.call('ZCARD', line)}
"""


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
        self._place = client.register_script(_PLACE)

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
        """Where the call stands (refreshing its alive key); dead heads are dropped first.
        One script, one round trip: every waiting caller asks several times a second."""
        reply = self._place(keys=[self.key], args=[f"{PREFIX}:alive:", call_id, ALIVE_S])
        if reply is None:
            return None
        rank, size = cast(list[int], reply)
        return Place(int(rank), int(size))

    def size(self) -> int:
        return int(self.redis.zcard(self.key))

    def waiting(self, limit: int) -> list[tuple[int, float]]:
        """The first ``limit`` callers in arrival order: (inbound call id, offer epoch seconds).
        A read for the wallboard: a dead process's caller stays listed until the head moves on."""
        entries = cast(
            list[tuple[str, float]], self.redis.zrange(self.key, 0, limit - 1, withscores=True)
        )
        return [(int(member), float(score)) for member, score in entries]
