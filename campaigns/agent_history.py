"""One change of an agent's state, as the durable history keeps it, and the dialer's own pauses.

The live state (Redis, dialer.agents) decides the changes; agent_state_history keeps every one of
them for reports. `seq` counts an agent's changes: it orders the rows of one agent however the
writes reach PostgreSQL.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from campaigns.agents import AgentState


class SystemPause(StrEnum):
    """Pause reasons the dialer sets itself (also rows of pause_codes, for their labels)."""

    LOGIN = "login"  # logged in, not yet ready: going ready is the agent's own decision
    PHONE_NOT_ANSWERING = "phone_not_answering"  # a call was offered and the phone failed
    SYSTEM_RESTART = "system_restart"  # logged in when the live state had to be rebuilt
    PREVIEW_EXPIRED = "preview_expired"  # a preview was neither dialed nor skipped in time


@dataclass(frozen=True)
class StateChange:
    agent_id: int
    seq: int
    state: AgentState
    at: datetime
    # The campaigns worked in this state; empty when logged out.
    campaigns: frozenset[int] = frozenset()
    reason: str | None = None
    attempt_id: int | None = None
    # The call's campaign while reserved, on call or in wrap-up.
    call_campaign_id: int | None = None

    @property
    def campaign_id(self) -> int | None:
        """The one campaign this state belongs to: the call's, else the only one worked."""
        if self.call_campaign_id is not None:
            return self.call_campaign_id
        return next(iter(self.campaigns)) if len(self.campaigns) == 1 else None
