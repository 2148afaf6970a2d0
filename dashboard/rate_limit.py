"""Login throttling in Redis, shared by every dashboard process.

Fixed windows per username and per client address. Each attempt is counted before the password
is checked (one atomic INCR), so parallel guesses cannot slip between a check and a count; a
successful login clears its username's counter.
"""

from __future__ import annotations

from dataclasses import dataclass

import redis

# Redis 6 (the embedded server) has no EXPIRE NX: SET NX EX creates the window, INCR counts in it.
_PREFIX = "dialer:login"


@dataclass(frozen=True)
class Limit:
    attempts: int
    window_s: int


class LoginThrottled(Exception):
    def __init__(self, retry_after_s: int) -> None:
        super().__init__(f"too many sign-in attempts; try again in {retry_after_s} s")
        self.retry_after_s = retry_after_s


class LoginThrottle:
    def __init__(
        self,
        client: redis.Redis,
        per_user: Limit = Limit(5, 15 * 60),
        per_address: Limit = Limit(30, 15 * 60),
    ) -> None:
        self._redis = client
        self._limits = {"user": per_user, "addr": per_address}

    def attempt(self, username: str, address: str) -> None:
        """Count one attempt; raise LoginThrottled when either window is used up."""
        keys = {"user": username.lower(), "addr": address}
        for kind, key in keys.items():
            limit = self._limits[kind]
            name = f"{_PREFIX}:{kind}:{key}"
            pipe = self._redis.pipeline(transaction=True)
            pipe.set(name, 0, ex=limit.window_s, nx=True)
            pipe.incr(name)
            pipe.ttl(name)
            _, count, ttl = pipe.execute()
            if int(count) > limit.attempts:
                raise LoginThrottled(max(int(ttl), 1))

    def succeeded(self, username: str) -> None:
        self._redis.delete(f"{_PREFIX}:user:{username.lower()}")
