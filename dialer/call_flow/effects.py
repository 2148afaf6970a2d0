"""What the state machine asks the driver to do, as data (STYLE.md: effects as data)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from dialer.call_flow.amd_policy import AmdPolicy
from dialer.call_flow.model import (
    AgentRef,
    AgentRelease,
    AttemptResult,
    Milestone,
    Timer,
    TransferReport,
)
from dialer.telephony.capacity import LegReservation
from dialer.telephony.events import LegId
from dialer.telephony.requests import OriginateRequest


@dataclass(frozen=True)
class Originate:
    request: OriginateRequest
    # A feature's own leg (transfer) is placed on its own reservation, not the attempt's.
    reservation: LegReservation | None = None
    # When the attempt's reservation has no leg left, one more may come from the process's
    # free legs (a forward placed while the agent's rung-off phone still holds its slot).
    may_take_free_leg: bool = False


@dataclass(frozen=True)
class Hangup:
    leg: LegId


@dataclass(frozen=True)
class Bridge:
    a: LegId
    b: LegId


@dataclass(frozen=True)
class PlayMessage:
    leg: LegId
    wav: Path


@dataclass(frozen=True)
class StartTimer:
    """Start or move the named timer."""

    timer: Timer
    at: datetime


@dataclass(frozen=True)
class CancelTimer:
    timer: Timer


@dataclass(frozen=True)
class ClaimAgent:
    attempt_id: str
    # That agent or nobody (a transfer to another agent); None: any ready agent.
    only_agent_id: str | None = None
    # An answer waiting for any agent: the last moment it may claim one. Answers waiting in the
    # same campaign are given agents earliest deadline first.
    until: datetime | None = None


@dataclass(frozen=True)
class AgentTookOver:
    """The agent a transfer passed the customer to is now the attempt's agent."""

    agent: AgentRef


@dataclass(frozen=True)
class AgentJoined:
    """The other agent of a three-way call answered: on call with this attempt, which stays
    the first agent's (its disposition too) unless the first agent leaves (AgentTookOver)."""

    agent: AgentRef


@dataclass(frozen=True)
class ReleaseAgent:
    agent: AgentRef
    reason: AgentRelease


@dataclass(frozen=True)
class Notify:
    milestone: Milestone
    at: datetime


@dataclass(frozen=True)
class StartDetection:
    """Listen to the leg's audio with answering-machine detection (beep too if the policy
    leaves messages); verdicts come back as AmdVerdict and BeepHeard."""

    leg: LegId
    policy: AmdPolicy


@dataclass(frozen=True)
class StopDetection:
    leg: LegId


@dataclass(frozen=True)
class RecordOutcome:
    result: AttemptResult


@dataclass(frozen=True)
class ReportTransfer:
    """A transfer ended one way or the other: record it, tell the agent, and (when the
    customer comes back to the agent) take the call off hold."""

    report: TransferReport


Effect = (
    Originate
    | Hangup
    | Bridge
    | PlayMessage
    | StartTimer
    | CancelTimer
    | ClaimAgent
    | AgentTookOver
    | AgentJoined
    | ReleaseAgent
    | Notify
    | StartDetection
    | StopDetection
    | RecordOutcome
    | ReportTransfer
)
