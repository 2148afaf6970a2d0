"""Calls-per-second limits: a token bucket per trunk (carriers reject bursts above their CPS)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass
class TokenBucket:
    rate: float  # tokens per second
    capacity: float
    tokens: float = 0.0
    at: float | None = None

    def allowance(self, now: float) -> int:
        """Whole calls that may start now (call take() for the ones actually started)."""
        if self.at is not None:
            self.tokens = min(self.capacity, self.tokens + (now - self.at) * self.rate)
        else:
            self.tokens = self.capacity
        self.at = now
        return int(self.tokens)

    def take(self, count: int) -> None:
        self.tokens = max(0.0, self.tokens - count)
