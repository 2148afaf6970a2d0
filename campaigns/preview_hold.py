"""How long an agent may hold a previewed contact: the rule the sweep and the Dial button share.

A preview holds its contact (in_flight) and its agent (reserved) until the agent dials or skips.
An agent who walked away, or whose browser closed, would hold both forever; the campaign's
`preview_timeout_s` bounds the hold. Time is passed in, never read here.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

# How the reason of an expired hold begins, on the attempt record and in the agent's answer.
EXPIRED = "preview expired"


@dataclass(frozen=True)
class PreviewHold:
    """An undialed preview: the contact shown to `agent_id` since `held_since`."""

    attempt_id: int
    campaign_id: int
    agent_id: int
    contact_id: int | None
    held_since: datetime
    limit_s: int

    @property
    def deadline(self) -> datetime:
        return self.held_since + timedelta(seconds=self.limit_s)

    @property
    def why_expired(self) -> str:
        """The reason kept on the attempt record and shown to the agent."""
        return f"{EXPIRED}: not dialed or skipped within {self.limit_s} s"


def closed_by_expiry(reason: str | None) -> bool:
    """Whether an attempt's recorded reason says its hold expired."""
    return reason is not None and reason.startswith(EXPIRED)


def is_expired(hold: PreviewHold, now: datetime) -> bool:
    """The hold has lasted its whole limit: from the deadline on, the contact goes back."""
    return now >= hold.deadline


def expired_holds(holds: Iterable[PreviewHold], now: datetime) -> list[PreviewHold]:
    """The holds to release at `now`, the longest overdue first."""
    due = [hold for hold in holds if is_expired(hold, now)]
    return sorted(due, key=lambda hold: (hold.deadline, hold.attempt_id))
