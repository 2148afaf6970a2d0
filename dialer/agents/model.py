"""The data of the agent state machine: an agent's live status, the events, the effects."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from campaigns.agent_history import StateChange
from campaigns.agents import AgentState

# States in which the agent holds a call (an attempt): pauses and log-outs wait for its end.
BUSY_STATES = frozenset({AgentState.RESERVED, AgentState.ON_CALL, AgentState.WRAP_UP})
# A time before any real one: the `since` of an agent never seen.
NEVER = datetime(1970, 1, 1, tzinfo=UTC)


@dataclass(frozen=True)
class AfterCall:
    """What a busy agent asked for (pause or log out); it applies once the call is over."""

    state: AgentState
    reason: str | None = None


@dataclass(frozen=True)
class LiveStatus:
    agent_id: int
    state: AgentState = AgentState.LOGGED_OUT
    since: datetime = NEVER
    # Changes so far; the history row of each change carries its number.
    seq: int = 0
    # Campaigns worked in this session; empty when logged out.
    campaigns: frozenset[int] = frozenset()
    # The pause reason (paused only).
    reason: str | None = None
    # The call held (reserved, on call, wrap-up) and its campaign.
    attempt_id: int | None = None
    call_campaign_id: int | None = None
    # Place in the ready queues (ready, and reserved so that an unused reservation keeps it).
    idle_since: datetime | None = None
    wrap_up_until: datetime | None = None
    after_call: AfterCall | None = None

    def change(self) -> StateChange:
        """This status as the history row that starts it."""
        return StateChange(
            agent_id=self.agent_id,
            seq=self.seq,
            state=self.state,
            at=self.since,
            campaigns=self.campaigns,
            reason=self.reason,
            attempt_id=self.attempt_id,
            call_campaign_id=self.call_campaign_id,
        )


# Events: what happened or was asked for, each at a time passed in by the caller.


@dataclass(frozen=True)
class LoggedIn:
    campaigns: frozenset[int]
    at: datetime


@dataclass(frozen=True)
class WentReady:
    at: datetime


@dataclass(frozen=True)
class Paused:
    reason: str
    at: datetime


@dataclass(frozen=True)
class LoggedOut:
    at: datetime


@dataclass(frozen=True)
class Reserved:
    """Claimed for an answered call (the claim script does this one in Redis)."""

    attempt_id: int
    campaign_id: int
    at: datetime


@dataclass(frozen=True)
class CallConnected:
    attempt_id: int
    at: datetime


@dataclass(frozen=True)
class CallEnded:
    attempt_id: int
    wrap_up_limit: timedelta
    at: datetime
    # Why the call ended for the agent, kept on the wrap-up (its history row): "transferred".
    reason: str | None = None


@dataclass(frozen=True)
class ReservationReleased:
    """The call went away before the agent answered: the agent did nothing wrong."""

    attempt_id: int
    at: datetime


@dataclass(frozen=True)
class PhoneNotAnswering:
    """The agent's phone failed, rejected or did not answer in time."""

    attempt_id: int
    at: datetime


@dataclass(frozen=True)
class PreviewHoldExpired:
    """The agent neither dialed nor skipped the previewed contact within the campaign's limit."""

    attempt_id: int
    at: datetime


@dataclass(frozen=True)
class DispositionSubmitted:
    attempt_id: int
    at: datetime
    # Pause after this call instead of going ready.
    pause_reason: str | None = None


@dataclass(frozen=True)
class WrapUpExpired:
    at: datetime


AgentEvent = (
    LoggedIn
    | WentReady
    | Paused
    | LoggedOut
    | Reserved
    | CallConnected
    | CallEnded
    | ReservationReleased
    | PhoneNotAnswering
    | PreviewHoldExpired
    | DispositionSubmitted
    | WrapUpExpired
)


# Effects: what the caller must carry out, as data.


@dataclass(frozen=True)
class StateChanged:
    """Record the change (history, live pages) and move the agent in the ready queues."""

    previous: AgentState
    change: StateChange


@dataclass(frozen=True)
class AfterCallNoted:
    """A busy agent's pause or log-out is noted for later (None: the request was withdrawn)."""

    after_call: AfterCall | None


Effect = StateChanged | AfterCallNoted
