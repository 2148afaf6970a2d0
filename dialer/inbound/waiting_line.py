"""The callers waiting in one queue, across every inbound process, in arrival order (Redis).

A sorted set per queue holds the waiting calls scored by their offer time; only the call at the
head may claim an agent, so callers are served first come, first served even when they wait in
different processes. A waiting call refreshes a short-lived "alive" key; a head whose key has
expired belonged to a process that died, and is dropped so it cannot block the line.

A call in the line of a campaign's queue is also counted in the campaign's
`inbound_waiting` set (dialer.agents.codec), scored by the Redis clock second until which its
process vouches for it: outbound claims pass over the agents these callers will be given next,
and the pacing dials less for them (inbound calls come first, dialer.agents.scripts).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import cast

import redis

from dialer.agents import codec

PREFIX = "dialer:inbound"
ALIVE_S = 5


# Both scripts refresh the call's entry in the campaign's count (KEYS[2], when the queue has a
# campaign) with the Redis clock, the clock the claim script reads.
_VOUCH = """
local function vouch(campaign_waiting, me, alive_s)
  if campaign_waiting then
    local until_s = tonumber(redis.call('TIME')[1]) + alive_s
    redis.call('ZADD', campaign_waiting, until_s, me)
  end
end
"""

_JOIN = (
    _VOUCH
    + """
local line, alive, me, offered = KEYS[1], ARGV[1], ARGV[2], ARGV[3]
redis.call('SET', alive .. me, 1, 'EX', tonumber(ARGV[4]))
redis.call('ZADD', line, offered, me)
vouch(KEYS[2], me, tonumber(ARGV[4]))
"""
)

_PLACE = (
    _VOUCH
    + """
local line, alive, me = KEYS[1], ARGV[1], ARGV[2]
redis.call('SET', alive .. me, 1, 'EX', tonumber(ARGV[3]))
vouch(KEYS[2], me, tonumber(ARGV[3]))
while true do
  local head = redis.call('ZRANGE', line, 0, 0)[1]
  if not head or head == me or redis.call('EXISTS', alive .. head) == 1 then break end
  redis.call('ZREM', line, head)
end
local rank = redis.call('ZRANK', line, me)
if not rank then return nil end
return {rank, redis.call('ZCARD', line)}
"""
)


def _line_key(queue_id: int) -> str:
    return f"{PREFIX}:line:{queue_id}"


def campaign_waiting(client: redis.Redis, campaign_ids: list[int]) -> dict[int, int]:
    """Live inbound callers waiting in each campaign's queues (the pacing's read), one round trip;
    entries whose process stopped vouching for them are not counted."""
    now_s = int(client.time()[0])
    with client.pipeline(transaction=False) as pipe:
        for campaign_id in campaign_ids:
            pipe.zcount(codec.inbound_waiting_key(campaign_id), now_s, "+inf")
        counts = cast(list[int], pipe.execute())
    return dict(zip(campaign_ids, (int(n) for n in counts), strict=True))


def _alive_key(call_id: int) -> str:
    return f"{PREFIX}:alive:{call_id}"


@dataclass(frozen=True)
class Place:
    position: int  # 0: at the head
    waiting: int  # callers in the line, this one included


class WaitingLine:
    def __init__(self, client: redis.Redis, queue_id: int, campaign_id: int | None = None) -> None:
        """`campaign_id`: the queue's campaign, whose agents the callers are counted against."""
        self.redis = client
        self.key = _line_key(queue_id)
        self.keys = [self.key]
        if campaign_id is not None:
            self.keys.append(codec.inbound_waiting_key(campaign_id))
        self._join = client.register_script(_JOIN)
        self._place = client.register_script(_PLACE)

    def join(self, call_id: int, offered_epoch_s: float) -> None:
        """Join (or rejoin after an agent did not answer) at the place of the offer time."""
        self._join(keys=self.keys, args=[f"{PREFIX}:alive:", call_id, offered_epoch_s, ALIVE_S])

    def leave(self, call_id: int) -> None:
        with self.redis.pipeline() as pipe:
            for key in self.keys:
                pipe.zrem(key, str(call_id))
            pipe.delete(_alive_key(call_id))
            pipe.execute()

    def place(self, call_id: int) -> Place | None:
        """Where the call stands (refreshing its alive key); dead heads are dropped first.
        One script, one round trip: every waiting caller asks several times a second."""
        reply = self._place(keys=self.keys, args=[f"{PREFIX}:alive:", call_id, ALIVE_S])
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
