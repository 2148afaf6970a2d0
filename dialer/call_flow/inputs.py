"""Inputs of the call-flow state machine that do not come from telephony."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from dialer.amd import Decision
from dialer.call_flow.model import AgentRef, Timer
from dialer.queue_transfer import QueueTarget
from dialer.telephony.capacity import LegReservation
from dialer.telephony.events import LegId, TelephonyEvent
from dialer.telephony.numbers import E164


@dataclass(frozen=True)
class TimerFired:
    timer: Timer
    at: datetime


@dataclass(frozen=True)
class OriginateFailed:
    """The INVITE could not be sent. ``no_capacity``: our process had no slot (not the
    callee's fault: an agent is not blamed for it)."""

    leg: LegId
    at: datetime
    permanent: bool
    reason: str
    no_capacity: bool = False


@dataclass(frozen=True)
class AgentClaimed:
    agent: AgentRef
    at: datetime


@dataclass(frozen=True)
class NoAgentAvailable:
    at: datetime


@dataclass(frozen=True)
class AmdVerdict:
    """The detector's verdict reached the call flow at ``at``, ``audio_ms`` into the audio."""

    leg: LegId
    at: datetime
    decision: Decision
    cause: str
    audio_ms: int
    # How long the person had been silent after speaking when the verdict came.
    silence_after_speech_ms: int = 0


@dataclass(frozen=True)
class BeepHeard:
    """Time to leave the message: the beep ended, or the machine went quiet, or we gave up
    waiting (``how`` says which)."""

    leg: LegId
    at: datetime
    how: str


@dataclass(frozen=True)
class TransferRequested:
    """The agent asked for a blind transfer to ``destination`` (allowed already); the leg for
    the third party is reserved (``reservation``: dialer.telephony.capacity)."""

    destination: E164
    at: datetime
    reservation: LegReservation | None = None
    # Warm (consultative): the agent talks with the third party before completing.
    warm: bool = False
    # Three-way: on answer the third party joins the customer and the agent.
    conference: bool = False


@dataclass(frozen=True)
class AgentTransferRequested:
    """The agent asked to pass the customer to another agent (``agent_id``, ``name`` for the
    notices), blind or warm, or to add them to the call (``conference``: three-way); the leg
    for that agent is reserved (``reservation``)."""

    agent_id: str
    name: str
    at: datetime
    reservation: LegReservation | None = None
    warm: bool = False
    conference: bool = False


@dataclass(frozen=True)
class QueueTransferRequested:
    """The agent asked to pass the customer to an inbound queue (blind, dialer.queue_transfer):
    a leg to ``inbound_address`` with the queue's number; its slot reserved (``reservation``)."""

    queue: QueueTarget
    inbound_address: str
    at: datetime
    reservation: LegReservation | None = None


@dataclass(frozen=True)
class TransferDecided:
    """The agent completes (``complete``) or cancels the transfer under way."""

    complete: bool
    at: datetime


class ConferenceMove(StrEnum):
    MERGE = "merge"  # the consulted third party joins the customer too: a three-way call
    LEAVE = "leave"  # the agent leaves: the customer and the third party stay connected
    DROP = "drop"  # the third party is hung up: the agent goes on with the customer


@dataclass(frozen=True)
class ConferenceDecided:
    """The agent's move in (or into) a three-way call."""

    move: ConferenceMove
    at: datetime


FlowEvent = (
    TelephonyEvent
    | TimerFired
    | OriginateFailed
    | AgentClaimed
    | NoAgentAvailable
    | AmdVerdict
    | BeepHeard
    | TransferRequested
    | AgentTransferRequested
    | QueueTransferRequested
    | TransferDecided
    | ConferenceDecided
)
