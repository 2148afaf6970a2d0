"""Leader election for the scheduler: a Redis lease plus a fencing token checked by PostgreSQL.

The lease (SET NX PX) decides who leads; it can still be wrong for a moment (a leader paused past
its lease wakes up believing it leads). The fencing token closes that gap: every acquisition takes
a new, larger token, and the claim statement only commits for the newest token it has seen
(campaigns/storage/claim_store.py), so a stale leader cannot claim contacts. Tokens come from
PostgreSQL, not Redis: Redis may lose everything, and restarting tokens at 1 would fence out
every future leader.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass

import redis

LEASE_KEY = "dialer:scheduler:leader"

# Renew only if we still hold it; an expired lease taken by another instance stays theirs.
_RENEW = """
if redis.call('GET', KEYS[1]) == ARGV[1] then
    return redis.call('PEXPIRE', KEYS[1], ARGV[2])
end
return 0
"""

_RELEASE = """
if redis.call('GET', KEYS[1]) == ARGV[1] then
    return redis.call('DEL', KEYS[1])
end
return 0
"""


@dataclass(frozen=True)
class Leadership:
    identity: str
    token: int


class LeaderLease:
    """One scheduler instance's claim on leadership."""

    def __init__(
        self,
        client: redis.Redis,
        allocate_token: Callable[[str], int],
        lease_ms: int = 5000,
        identity: str | None = None,
    ) -> None:
        self.client = client
        self.allocate_token = allocate_token
        self.lease_ms = lease_ms
        self.identity = identity or f"scheduler-{uuid.uuid4().hex[:8]}"
        self._renew = client.register_script(_RENEW)
        self._release = client.register_script(_RELEASE)
        self.current: Leadership | None = None

    def try_acquire(self) -> Leadership | None:
        """Become leader if nobody is; keep leading if we are. None while another instance leads."""
        if self.current is not None:
            if self._renew(keys=[LEASE_KEY], args=[self.identity, self.lease_ms]):
                return self.current
            self.current = None  # our lease lapsed and someone else may lead now
        if self.client.set(LEASE_KEY, self.identity, nx=True, px=self.lease_ms):
            self.current = Leadership(self.identity, self.allocate_token(self.identity))
        return self.current

    def release(self) -> None:
        if self.current is not None:
            self._release(keys=[LEASE_KEY], args=[self.identity])
            self.current = None
