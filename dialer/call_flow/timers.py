"""The driver's named timers: at most one deadline per name."""

from __future__ import annotations

from datetime import datetime

from dialer.call_flow.model import Timer


class Timers:
    def __init__(self) -> None:
        self._due: dict[Timer, datetime] = {}

    def start(self, timer: Timer, at: datetime) -> None:
        self._due[timer] = at

    def cancel(self, timer: Timer) -> None:
        self._due.pop(timer, None)

    def pop_due(self, now: datetime) -> Timer | None:
        """The earliest timer due at ``now`` (removed), or None."""
        due = [(at, timer) for timer, at in self._due.items() if at <= now]
        if not due:
            return None
        _, timer = min(due)
        del self._due[timer]
        return timer

    def seconds_until_next(self, now: datetime, default: float) -> float:
        if not self._due:
            return default
        return max(0.0, (min(self._due.values()) - now).total_seconds())
