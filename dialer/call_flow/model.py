"""The data of one outbound call attempt: what to dial, how to hand off, what happened."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum
from pathlib import Path

from campaigns.attempt import Outcome
from campaigns.call_forwarding import ForwardTarget
from dialer.amd import Decision
from dialer.call_flow.amd_policy import AmdPolicy
from dialer.telephony.events import LegId
from dialer.telephony.numbers import E164
from dialer.telephony.outcomes import MINIMUM_RING_SECONDS, CancelReason
from dialer.telephony.requests import SipHeader
from dialer.telephony.trunk import TrunkConfig

# Regulators (FCC, Ofcom, CRTC): a live agent, or the abandonment message, within 2 s of answer.
CONNECT_WINDOW = timedelta(seconds=2.0)
# Decide early enough that the message has begun playing before the 2 s pass.
MESSAGE_MARGIN = timedelta(seconds=0.3)
# No agent ready when a person answers: ask again this often while one claimed then could still be
# connected in the window (an agent whose wrap-up ends in the next second takes the call). The
# pacing model and the simulator count on answers waiting for agents this way.
CLAIM_RETRY = timedelta(seconds=0.1)
# The last claim is made this long before the abandonment timer: time for the agent's phone to
# answer (3-30 ms on a LAN, robots included), with room for a slow one.
AGENT_CONNECT_ALLOWANCE = timedelta(seconds=0.3)


def claim_window(
    connect_window: timedelta = CONNECT_WINDOW, message_margin: timedelta = MESSAGE_MARGIN
) -> timedelta:
    """How long after a person answers an agent can still be claimed for them: the window less
    the message's margin and the agent phone's allowance (1.4 s of the regulators' 2 s). An agent
    freeing after this is too late for the call, which pacing must count on. The call flow's
    deadlines (`HandoffPolicy.deadlines`) are computed from this, so the two cannot drift."""
    return connect_window - message_margin - AGENT_CONNECT_ALLOWANCE


# Legs that do not end after a hang-up (a CANCEL nobody answers) are given up after this:
# it is longer than pjsip's INVITE transaction timer (64 x T1 = 32 s).
ENDING_GUARD = timedelta(seconds=40)


class AttemptSpecError(ValueError):
    pass


class Phase(StrEnum):
    DIALING = "dialing"
    RINGING = "ringing"
    DETECTING = "detecting"  # answering-machine detection listens to the greeting
    AWAITING_BEEP = "awaiting_beep"  # a machine: wait for its beep to leave the message
    LEAVING_MESSAGE = "leaving_message"
    SEEKING_AGENT = "seeking_agent"
    AGENT_RINGING = "agent_ringing"
    TALKING = "talking"
    TRANSFERRING = "transferring"  # blind transfer: the third party rings, the agent waits
    TRANSFERRED = "transferred"  # the customer talks with the third party; the agent is gone
    CONSULTING = "consulting"  # warm transfer: the agent talks with the third party first
    CONFERENCE = "conference"  # three-way: customer, agent and third party hear each other
    ABANDONING = "abandoning"
    ENDING = "ending"
    DONE = "done"


class Timer(StrEnum):
    RING = "ring"
    ABANDON = "abandon"
    MAX_TALK = "max_talk"
    ENDING_GUARD = "ending_guard"
    AMD_VERDICT = "amd_verdict"  # no verdict by then: not sure
    BEEP = "beep"  # no beep (nor silence) by then: leave the message anyway
    TRANSFER_RING = "transfer_ring"  # the transfer's third party did not answer in time
    FORWARD_NO_ANSWER = "forward_no_answer"  # the agent's phone rang this long: forward
    RECLAIM = "reclaim"  # no agent was ready: ask again


class Milestone(StrEnum):
    """Progress published for live pages while the attempt runs."""

    RINGING = "ringing"
    ANSWERED = "answered"
    AGENT_CONNECTED = "agent_connected"
    # A transfer passed the customer to another agent, now the attempt's agent.
    AGENT_TOOK_OVER = "agent_took_over"
    ABANDONED = "abandoned"


class AgentRelease(StrEnum):
    """Why an agent claimed for this attempt is handed back (decides their next state)."""

    TALKED = "talked"  # had the call: wrap-up
    NOT_ANSWERING = "not_answering"  # phone failed or did not answer in time: paused
    UNUSED = "unused"  # the customer went away before the agent answered: ready again
    # Passed the customer on (blind transfer answered): wrap-up now, while the call goes on.
    TRANSFERRED = "transferred"
    # Joined a three-way call and went without taking it over (dropped, hung up, or the call
    # ended): wrap-up now, without the disposition (the attempt's agent records it).
    CONFERENCED = "conferenced"


class TransferOutcome(StrEnum):
    ANSWERED = "answered"  # customer and third party bridged, agent released
    BUSY = "busy"
    NO_ANSWER = "no_answer"
    FAILED = "failed"  # the INVITE failed or was rejected otherwise
    CUSTOMER_LEFT = "customer_left"  # the customer hung up while the third party rang
    REFUSED = "refused"  # the call was in no state to be transferred
    # Warm transfer: the third party answered and talks with the agent (customer on hold);
    # not final: complete (answered) or cancel (cancelled) follows.
    CONSULTING = "consulting"
    CANCELLED = "cancelled"  # the agent cancelled, or the third party left the consultation
    # Three-way: the third party answered and all three hear each other (not final: the agent
    # leaves (answered) or the third party is dropped or leaves (dropped)).
    CONFERENCED = "conferenced"
    DROPPED = "dropped"  # the third party left the conference: the customer and agent go on
    # Transfer to another agent: that agent is no longer ready (claimed, paused, logged out).
    NOT_READY = "not_ready"


@dataclass(frozen=True)
class TransferReport:
    """What became of one transfer (the attempt record keeps it; the agent is told)."""

    destination: str
    requested_at: datetime
    outcome: TransferOutcome
    at: datetime
    reason: str = ""
    # The third party's leg (a three-way call's recording takes it in when it joins).
    leg: LegId | None = None

    @property
    def back_to_agent(self) -> bool:
        """The customer is still ours to talk to: the agent gets the call back."""
        return self.outcome in {
            TransferOutcome.BUSY,
            TransferOutcome.NO_ANSWER,
            TransferOutcome.FAILED,
            TransferOutcome.CANCELLED,
            TransferOutcome.DROPPED,
            TransferOutcome.NOT_READY,
        }


@dataclass(frozen=True)
class AgentRef:
    agent_id: str
    sip_uri: str
    # The agent's call forwarding as it applies to this call (campaigns.call_forwarding);
    # None once the call has been forwarded.
    forward: ForwardTarget | None = None
    name: str = ""  # what the other agent reads about them ("Transferred to <name>")


@dataclass(frozen=True)
class HandoffPolicy:
    """After answer, connect an agent within ``connect_window`` or play ``abandon_message``."""

    abandon_message: Path
    connect_window: timedelta = CONNECT_WINDOW
    message_margin: timedelta = MESSAGE_MARGIN

    def __post_init__(self) -> None:
        if not timedelta(0) <= self.message_margin < self.connect_window:
            raise AttemptSpecError("message_margin must be shorter than connect_window")

    def deadlines(self, window_from: datetime, at: datetime) -> tuple[datetime, datetime]:
        """(last moment to claim an agent, moment the message starts) for a person whose window
        runs from ``window_from``: never before ``at`` (a late AMD verdict leaves no time)."""
        claim_until = max(
            at - AGENT_CONNECT_ALLOWANCE,
            window_from + claim_window(self.connect_window, self.message_margin),
        )
        return claim_until, claim_until + AGENT_CONNECT_ALLOWANCE


@dataclass(frozen=True)
class AttemptSpec:
    """One attempt. ``screen_pop`` headers go to the agent's phone only, never to the carrier."""

    attempt_id: str
    number: E164
    trunk: TrunkConfig
    ring_timeout: timedelta = timedelta(seconds=25)
    max_talk: timedelta = timedelta(hours=1)
    handoff: HandoffPolicy | None = None
    amd: AmdPolicy | None = None  # None: every answer is taken for a person at once
    screen_pop: tuple[SipHeader, ...] = ()
    # How long a transfer's third party may ring before the customer goes back to the agent.
    transfer_ring_timeout: timedelta = timedelta(seconds=30)

    def __post_init__(self) -> None:
        if self.ring_timeout.total_seconds() < MINIMUM_RING_SECONDS:
            raise AttemptSpecError(
                f"ring_timeout {self.ring_timeout.total_seconds()} s is below the legal minimum "
                f"of {MINIMUM_RING_SECONDS} s"
            )
        if not self.attempt_id or any(c.isspace() for c in self.attempt_id):
            raise AttemptSpecError("attempt_id must be a non-empty word")

    @property
    def customer_leg(self) -> LegId:
        return LegId(f"{self.attempt_id}:customer")

    def agent_leg(self, n: int) -> LegId:
        return LegId(f"{self.attempt_id}:agent{n}")

    def forward_leg(self, n: int) -> LegId:
        return LegId(f"{self.attempt_id}:forward{n}")

    def transfer_leg(self, n: int) -> LegId:
        return LegId(f"{self.attempt_id}:transfer{n}")

    @property
    def legs_needed(self) -> int:
        return 2 if self.handoff is not None else 1


@dataclass(frozen=True)
class Timeline:
    """Everything the attempt record must keep to prove the rules (COMPLIANCE.md)."""

    dialed_at: datetime | None = None
    ringing_at: datetime | None = None
    early_media: bool = False
    answered_at: datetime | None = None
    agent_connected_at: datetime | None = None
    message_started_at: datetime | None = None
    ended_at: datetime | None = None
    sip_status: int | None = None
    sip_reason: str = ""
    sip_call_id: str = ""
    cancel_reason: CancelReason | None = None
    agents_tried: tuple[str, ...] = field(default=())
    # Answering-machine detection: the verdict, the rule that gave it, when it reached the call
    # flow, and when the person's greeting ended (the instant the 2 s connect window runs from
    # under the US rules; the answer itself when AMD is off).
    amd_decision: Decision | None = None
    amd_cause: str = ""
    amd_decided_at: datetime | None = None
    # A MACHINE verdict that went to an agent only because the attempt was drawn for checking
    # (dialer.call_flow.amd_policy.checked_by_agent); False for every other verdict.
    amd_machine_checked: bool = False
    speech_ended_at: datetime | None = None
    voicemail_started_at: datetime | None = None


@dataclass(frozen=True)
class AttemptResult:
    attempt_id: str
    outcome: Outcome
    timeline: Timeline
    agent: AgentRef | None = None
