"""The outbound call attempt's state, and how an attempt ends: shared by the state machine
(``machine``) and its third-party part (``third_party``: transfers and three-way calls).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime

from campaigns.attempt import Outcome
from dialer.amd import Decision
from dialer.call_flow.amd_policy import goes_to_agent
from dialer.call_flow.effects import CancelTimer, Effect, RecordOutcome, StartTimer, StopDetection
from dialer.call_flow.model import (
    ENDING_GUARD,
    AgentRef,
    AttemptResult,
    AttemptSpec,
    Phase,
    Timeline,
    Timer,
)
from dialer.telephony.capacity import LegReservation
from dialer.telephony.events import LegEnded, LegId
from dialer.telephony.outcomes import CancelReason, classify
from dialer.telephony.requests import SipHeader

Step = tuple["AttemptState", tuple[Effect, ...]]

# AMD listens to the customer: the analysis stops when the attempt ends.
LISTENING = {Phase.DETECTING, Phase.AWAITING_BEEP}


@dataclass(frozen=True)
class Transfer:
    """A transfer (or a three-way call) under way: the third party's leg rings, or talks with
    the agent (warm: consulting; conference: with the customer too)."""

    destination: str  # the number, or the other agent's name
    leg: LegId
    requested_at: datetime
    warm: bool = False
    cancelled: bool = False  # the agent cancelled it: its end is reported as cancelled
    conference: bool = False  # three-way: on answer all three hear each other
    joined: bool = False  # in the three-way call now (answered; merged or added)
    # To another agent: the one asked for (``wanted``), once claimed (``agent``, rung on
    # ``leg``, an agent leg) and the leg reserved for them. None for a number.
    wanted: str | None = None
    agent: AgentRef | None = None
    reservation: LegReservation | None = None


@dataclass(frozen=True)
class AttemptState:
    spec: AttemptSpec
    phase: Phase
    timeline: Timeline
    live_legs: frozenset[LegId]
    customer_answered: bool = False
    customer_end: LegEnded | None = None
    agent: AgentRef | None = None  # claimed and not yet released
    agent_leg: LegId | None = None
    talked_with: AgentRef | None = None
    hangup_deadline: datetime | None = None
    transfer: Transfer | None = None  # ringing now
    transfers: int = 0  # tried so far (each has its own leg name)
    third_party: LegId | None = None  # the transfer's answered leg, bridged to the customer
    claim_until: datetime | None = None  # the last moment to claim an agent for the answer

    @property
    def customer(self) -> LegId:
        return self.spec.customer_leg


def offer_headers(spec: AttemptSpec) -> tuple[SipHeader, ...]:
    return (SipHeader("X-Attempt-Id", spec.attempt_id), *spec.screen_pop)


def ending(state: AttemptState, at: datetime, effects: tuple[Effect, ...]) -> Step:
    if state.phase is Phase.ENDING:
        return state, effects
    guard = StartTimer(Timer.ENDING_GUARD, at + ENDING_GUARD)
    cancels = tuple(CancelTimer(t) for t in Timer if t is not Timer.ENDING_GUARD)
    stop: tuple[Effect, ...] = (StopDetection(state.customer),) if state.phase in LISTENING else ()
    return replace(state, phase=Phase.ENDING), (*cancels, *stop, *effects, guard)


def maybe_finish(state: AttemptState, at: datetime, effects: tuple[Effect, ...]) -> Step:
    if state.customer_end is not None and not state.live_legs:
        return finish(state, at, effects)
    return state, effects


def finish(state: AttemptState, at: datetime, effects: tuple[Effect, ...] = ()) -> Step:
    timeline = state.timeline
    if timeline.ended_at is None:
        timeline = replace(timeline, ended_at=at)
    result = AttemptResult(
        attempt_id=state.spec.attempt_id,
        outcome=final_outcome(replace(state, timeline=timeline)),
        timeline=timeline,
        agent=state.talked_with,
    )
    cancels = tuple(CancelTimer(t) for t in Timer)
    done = replace(state, phase=Phase.DONE, timeline=timeline)
    return done, (*effects, *cancels, RecordOutcome(result))


def final_outcome(state: AttemptState) -> Outcome:
    """The attempt's outcome; any live answer without an agent counts as abandoned."""
    if state.talked_with is not None:
        return Outcome.ANSWERED
    decision = state.timeline.amd_decision
    if state.customer_answered and decision is Decision.MACHINE:
        return Outcome.MACHINE
    amd = state.spec.amd
    hung_up_unsure = (
        decision is Decision.NOT_SURE and amd is not None and not goes_to_agent(decision, amd)
    )
    if state.customer_answered and (state.spec.handoff is not None or hung_up_unsure):
        # A person (or maybe one: NOT_SURE) hung up on by AMD is an abandoned call too.
        return Outcome.ABANDONED
    end = state.customer_end
    rang = state.timeline.ringing_at is not None
    if end is None:
        return {
            CancelReason.RING_TIMEOUT: Outcome.NO_ANSWER if rang else Outcome.FAILED,
            CancelReason.SHUTDOWN: Outcome.CANCELLED,
            None: Outcome.FAILED,
        }[state.timeline.cancel_reason]
    return classify(
        answered=state.customer_answered,
        sip_status=end.sip_status,
        cause=end.cause,
        cancel_reason=state.timeline.cancel_reason,
        rang=rang,
    )
