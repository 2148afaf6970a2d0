"""Call-waiting offers in Redis: at most one per agent, whatever process makes it.

An offer (dialer.agents.call_waiting.CallWaiting) is a hash `dialer:agents:waiting:<agent id>`
beside the agent's live state, never in it: the agent stays on call, so the claim and the pacing
see them as before. Each write is one Lua script, so two queue calls in two processes cannot
both offer a caller to the same agent, and an answer from the console lands only on the offer
it was given for (a click on an offer that expired, or was replaced, changes nothing).

The key expires on its own a little after the offer (and long after a held call), so an offer
left by a process that died never blocks the agent for good.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import cast

import redis

from dialer.agents.call_waiting import CallWaiting, Phase

_PREFIX = "dialer:agents:waiting:"
# The key outlives the offer by this much: the queue call reads the answer after the deadline.
GRACE = timedelta(seconds=10)
# The longest a second call keeps the key: a process that died leaves nothing for good.
HELD_TTL = timedelta(hours=4)


class Answer(StrEnum):
    ACCEPT = "accept"
    DECLINE = "decline"


# KEYS[1] the offer's key; ARGV: ttl (ms), then field, value pairs. 1 when placed, 0 if taken.
_PLACE = """
if redis.call('EXISTS', KEYS[1]) == 1 then return 0 end
redis.call('HSET', KEYS[1], unpack(ARGV, 2))
redis.call('PEXPIRE', KEYS[1], ARGV[1])
return 1
"""

# KEYS[1]; ARGV: inbound call id, answer. 1 when this offer was still waiting for one.
_ANSWER = """
local inbound, phase, given = unpack(redis.call('HMGET', KEYS[1], 'inbound', 'phase', 'answer'))
if inbound ~= ARGV[1] or phase ~= 'offered' or (given and given ~= '') then return 0 end
redis.call('HSET', KEYS[1], 'answer', ARGV[2])
return 1
"""

# KEYS[1]; ARGV: inbound call id, ttl (ms) or '' to delete, then field, value pairs.
_SAVE = """
if redis.call('HGET', KEYS[1], 'inbound') ~= ARGV[1] then return 0 end
if ARGV[2] == '' then
    redis.call('DEL', KEYS[1])
    return 1
end
redis.call('HSET', KEYS[1], unpack(ARGV, 3))
redis.call('PEXPIRE', KEYS[1], ARGV[2])
return 1
"""


def offer_key(agent_id: int) -> str:
    return f"{_PREFIX}{agent_id}"


@dataclass(frozen=True)
class OfferView:
    """An agent's offer or second call as the console shows it."""

    inbound_call_id: int
    queue_name: str
    caller: str
    phase: Phase
    expires_at: datetime
    answer: Answer | None


class WaitingOffers:
    def __init__(self, client: redis.Redis) -> None:
        """`client` must decode responses to str (dialer.bootstrap.redis_client does)."""
        self._redis = client
        self._place = client.register_script(_PLACE)
        self._answer = client.register_script(_ANSWER)
        self._save = client.register_script(_SAVE)

    def place(self, waiting: CallWaiting, now: datetime) -> bool:
        """Offer the call; False when the agent already has an offer or a held call."""
        ttl = _ms(waiting.expires_at - now + GRACE)
        return bool(self._place(keys=[offer_key(waiting.agent_id)], args=[ttl, *_flat(waiting)]))

    def answer(self, agent_id: int, inbound_call_id: int, answer: Answer) -> bool:
        """The agent's click (console or softphone); False when that offer no longer waits."""
        key = offer_key(agent_id)
        return bool(self._answer(keys=[key], args=[inbound_call_id, answer.value]))

    def answer_of(self, agent_id: int, inbound_call_id: int) -> Answer | None:
        inbound, given = self._redis.hmget(offer_key(agent_id), ["inbound", "answer"])
        if inbound != str(inbound_call_id) or not given:
            return None
        return Answer(cast(str, given))

    def current(self, agent_id: int) -> OfferView | None:
        """The agent's offer waiting for an answer, or their second call; None if neither."""
        fields = cast(dict[str, str], self._redis.hgetall(offer_key(agent_id)))
        if not fields.get("inbound"):
            return None
        return OfferView(
            inbound_call_id=int(fields["inbound"]),
            queue_name=fields.get("queue", ""),
            caller=fields.get("caller", ""),
            phase=Phase(fields["phase"]),
            expires_at=datetime.fromisoformat(fields["expires_at"]),
            answer=Answer(fields["answer"]) if fields.get("answer") else None,
        )

    def save(self, waiting: CallWaiting) -> bool:
        """Store the offer's next phase (accepted: the held call); False if it is not ours."""
        key = offer_key(waiting.agent_id)
        ttl = _ms(HELD_TTL)
        return bool(self._save(keys=[key], args=[waiting.inbound_call_id, ttl, *_flat(waiting)]))

    def clear(self, agent_id: int, inbound_call_id: int) -> bool:
        """The offer (or the second call) is over; another call's offer is left alone."""
        return bool(self._save(keys=[offer_key(agent_id)], args=[inbound_call_id, ""]))

    def phases(self, agent_ids: Sequence[int]) -> dict[int, Phase]:
        """The agents of these with an offer or a held call, and which (one round trip)."""
        with self._redis.pipeline(transaction=False) as pipe:
            for agent_id in agent_ids:
                pipe.hget(offer_key(agent_id), "phase")
            found = cast(list[str | None], pipe.execute())
        return {a: Phase(p) for a, p in zip(agent_ids, found, strict=True) if p}


def _flat(waiting: CallWaiting) -> list[str]:
    fields = {
        "inbound": str(waiting.inbound_call_id),
        "first_attempt": str(waiting.first_attempt_id),
        "queue": waiting.queue_name,
        "caller": waiting.caller,
        "offered_at": waiting.offered_at.isoformat(),
        "expires_at": waiting.expires_at.isoformat(),
        "phase": waiting.phase.value,
        "first_gone": "1" if waiting.first_gone else "",
    }
    return [item for pair in fields.items() for item in pair]


def _ms(span: timedelta) -> int:
    return max(1, int(span.total_seconds() * 1000))
