"""Call waiting, pure: which busy agent a queued inbound call may be offered to, and what an
offer becomes (accepted, declined, timed out, overtaken by a hang-up).

Decisions (the queue, the console and the softphone rely on them):
- Only a queued call that found no ready agent is offered to a busy one: ready agents always come
  first, so call waiting never changes who gets a call when someone is free.
- The agent must have call waiting turned on (an agent setting, off by default), work the queue's
  campaign, be talking (on call, not reserved: a phone still ringing is not a call to put on hold;
  not in wrap-up: they are about to be ready and are claimed the ordinary way) and not be leaving
  (a pause or log-out asked for during the call is honoured, not met with another call).
- The current call must be one we can hold: an outbound attempt, held by the worker that owns it
  (HOLD through its Redis command list). An inbound call cannot be held yet.
- An agent has at most one waiting offer and at most one held call: a second caller is never
  offered to someone already offered one or already talking to a second caller.
- Of several candidates, the one whose call began first is offered the call (its end is likeliest
  to come first if the agent declines).
- The agent's own state does not change while an offer waits or while the first call is held:
  they stay on call, outside every ready queue. So the claim (ready agents only) never takes them,
  and the pacing, which counts agents on call as busy, sees the same floor as without the feature.
- Accepting puts the current call on hold (the worker that owns it plays music) and connects the
  waiting caller. Declining, not answering before the offer expires, or the first call ending
  first all send the caller back to the head of the queue: nothing is lost, the next agent free
  takes them. A caller who hangs up while offered withdraws the offer.
- When the second call ends the first is resumed; if the first customer hung up while held there
  is nothing to resume and the agent's first call ends the ordinary way.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from enum import StrEnum

from campaigns.agents import AgentState
from campaigns.errors import Conflict
from dialer.agents.model import LiveStatus

# How long an offer waits for the agent's answer before the caller goes back to the queue.
OFFER_TIMEOUT = timedelta(seconds=15)


class NotOffered(StrEnum):
    """Why a busy agent is not offered the waiting call."""

    DISABLED = "call_waiting_off"
    NOT_TALKING = "not_on_a_call"
    OTHER_CAMPAIGN = "not_working_the_campaign"
    LEAVING = "pause_or_logout_requested"
    ALREADY_OFFERED = "already_offered_a_call"
    ALREADY_HOLDING = "already_holding_a_call"
    CANNOT_HOLD = "current_call_cannot_be_held"


class Phase(StrEnum):
    OFFERED = "offered"  # the agent sees the offer, the first call goes on
    ON_SECOND = "on_second"  # the first call is held, the agent talks to the second caller


class RequeueReason(StrEnum):
    DECLINED = "declined"
    TIMED_OUT = "timed_out"
    FIRST_CALL_ENDED = "first_call_ended"


@dataclass(frozen=True)
class Candidate:
    """A busy agent as the offer needs them: their live status and their settings."""

    status: LiveStatus
    call_waiting: bool
    offered: bool  # an offer of this agent is already waiting
    holding: bool  # the agent already holds a call for a second caller


@dataclass(frozen=True)
class CallWaiting:
    """One agent's second call, from the offer until the first call is resumed."""

    agent_id: int
    first_attempt_id: int  # the agent's call reference for the call that goes on hold
    inbound_call_id: int  # the waiting caller's inbound call
    queue_name: str
    caller: str
    offered_at: datetime
    expires_at: datetime
    phase: Phase = Phase.OFFERED
    first_gone: bool = False  # the held customer hung up


# Events on a waiting call, each at a time passed in.


@dataclass(frozen=True)
class Accepted:
    at: datetime


@dataclass(frozen=True)
class Declined:
    at: datetime


@dataclass(frozen=True)
class OfferExpired:
    at: datetime


@dataclass(frozen=True)
class WaitingCallEnded:
    """The waiting caller hung up while offered, or the second call ended (either side)."""

    at: datetime


@dataclass(frozen=True)
class FirstCallEnded:
    """The agent's first call ended (the customer or the agent hung up)."""

    at: datetime


WaitingEvent = Accepted | Declined | OfferExpired | WaitingCallEnded | FirstCallEnded


# Effects, as data: the queue call and the owning worker carry them out.


@dataclass(frozen=True)
class HoldFirst:
    """Send HOLD to the worker owning the first call (its customer hears music)."""

    attempt_id: int


@dataclass(frozen=True)
class ConnectWaiting:
    """Ring the agent's phone with the waiting caller (a second INVITE) and bridge them."""

    inbound_call_id: int


@dataclass(frozen=True)
class ReturnToQueue:
    """The caller goes back to the head of the queue, for the next agent free."""

    inbound_call_id: int
    reason: RequeueReason


@dataclass(frozen=True)
class WithdrawOffer:
    """Take the offer off the agent's console and phone (the caller is gone)."""

    inbound_call_id: int


@dataclass(frozen=True)
class ResumeFirst:
    """Send RESUME to the worker owning the first call: agent and customer talk again."""

    attempt_id: int


WaitingEffect = HoldFirst | ConnectWaiting | ReturnToQueue | WithdrawOffer | ResumeFirst
WaitingStep = tuple[CallWaiting | None, tuple[WaitingEffect, ...]]


class CallWaitingRefused(Conflict):
    """The agent's answer came when it no longer applies (too late, or the wrong phase)."""

    def __init__(self, agent_id: int, doing: str, why: str) -> None:
        super().__init__(f"agent {agent_id} cannot {doing}: {why}")
        self.agent_id = agent_id
        self.doing = doing
        self.why = why


def why_not_offered(candidate: Candidate, campaign_id: int) -> NotOffered | None:
    """None when this busy agent may be offered a waiting call of `campaign_id`."""
    status = candidate.status
    if not candidate.call_waiting:
        return NotOffered.DISABLED
    if status.state is not AgentState.ON_CALL or status.attempt_id is None:
        return NotOffered.NOT_TALKING
    if campaign_id not in status.campaigns:
        return NotOffered.OTHER_CAMPAIGN
    if status.attempt_id < 0:
        # An inbound call (its id negated): the inbound processes do not read the call-command
        # lists yet, so nothing could put it on hold (docs/inbound.md, "Not done").
        return NotOffered.CANNOT_HOLD
    if status.after_call is not None:
        return NotOffered.LEAVING
    if candidate.offered:
        return NotOffered.ALREADY_OFFERED
    if candidate.holding:
        return NotOffered.ALREADY_HOLDING
    return None


def choose_offer(
    candidates: Iterable[Candidate],
    campaign_id: int,
    inbound_call_id: int,
    queue_name: str,
    caller: str,
    now: datetime,
    timeout: timedelta = OFFER_TIMEOUT,
) -> CallWaiting | None:
    """The offer to make for a queued call that found no ready agent, or None."""
    eligible = [c.status for c in candidates if why_not_offered(c, campaign_id) is None]
    if not eligible:
        return None
    chosen = min(eligible, key=lambda s: (s.since, s.agent_id))
    assert chosen.attempt_id is not None
    return CallWaiting(
        agent_id=chosen.agent_id,
        first_attempt_id=chosen.attempt_id,
        inbound_call_id=inbound_call_id,
        queue_name=queue_name,
        caller=caller,
        offered_at=now,
        expires_at=now + timeout,
    )


def step(waiting: CallWaiting, event: WaitingEvent) -> WaitingStep:
    """What the event makes of the waiting call: its next value (None: over) and the effects."""
    call = waiting.inbound_call_id
    if waiting.phase is Phase.OFFERED:
        match event:
            case Accepted(at):
                if at >= waiting.expires_at:
                    _refuse(waiting, "accept", "the offer expired; the caller is back in queue")
                return replace(waiting, phase=Phase.ON_SECOND), (
                    HoldFirst(waiting.first_attempt_id),
                    ConnectWaiting(call),
                )
            case Declined():
                return None, (ReturnToQueue(call, RequeueReason.DECLINED),)
            case OfferExpired(at):
                if at < waiting.expires_at:
                    _refuse(waiting, "expire the offer", f"it lasts until {waiting.expires_at}")
                return None, (ReturnToQueue(call, RequeueReason.TIMED_OUT),)
            case WaitingCallEnded():
                return None, (WithdrawOffer(call),)
            case FirstCallEnded():
                return None, (ReturnToQueue(call, RequeueReason.FIRST_CALL_ENDED),)
    match event:
        case FirstCallEnded():
            return replace(waiting, first_gone=True), ()
        case WaitingCallEnded():
            if waiting.first_gone:
                return None, ()
            return None, (ResumeFirst(waiting.first_attempt_id),)
        case _:
            _refuse(waiting, "answer the offer", "already talking to the second caller")
    raise AssertionError("unreachable")  # pragma: no cover


def _refuse(waiting: CallWaiting, doing: str, why: str) -> None:
    raise CallWaitingRefused(waiting.agent_id, doing, why)
