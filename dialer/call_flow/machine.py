"""The outbound call attempt as a pure state machine: ``transition(state, event)``.

No I/O and no clock: every input carries its time, every action is returned as an effect.
Customer leg first; after answer (when a hand-off policy is set) an agent is claimed and
called, and either both legs are bridged or the abandonment message is played to the customer.
Finding, ringing and bridging the agent (or abandoning) is ``agent_handoff``'s part, a third
party on the call (transfers, three-way calls) ``third_party``'s; the state and how an attempt
ends are ``state``'s, shared by all.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta

from campaigns.amd_policy import MachineAction
from dialer.amd import Decision
from dialer.call_flow import agent_handoff as handoff
from dialer.call_flow import forwarding, third_party
from dialer.call_flow.amd_policy import checked_by_agent, goes_to_agent
from dialer.call_flow.effects import (
    CancelTimer,
    ClaimAgent,
    Effect,
    Hangup,
    Notify,
    Originate,
    PlayMessage,
    ReleaseAgent,
    StartDetection,
    StartTimer,
    StopDetection,
)
from dialer.call_flow.inputs import (
    AgentClaimed,
    AgentTransferRequested,
    AmdVerdict,
    BeepHeard,
    ConferenceDecided,
    ConferenceMove,
    FlowEvent,
    NoAgentAvailable,
    OriginateFailed,
    QueueTransferRequested,
    TimerFired,
    TransferDecided,
    TransferRequested,
)
from dialer.call_flow.model import (
    AttemptSpec,
    Milestone,
    Phase,
    Timeline,
    Timer,
    TransferOutcome,
)
from dialer.call_flow.state import (
    AttemptState,
    Step,
    ending,
    final_outcome,
    finish,
)
from dialer.telephony.events import (
    LegAnswered,
    LegDialing,
    LegEnded,
    LegRinging,
    PlaybackFinished,
    StopRequested,
)
from dialer.telephony.outcomes import CancelReason
from dialer.telephony.requests import OriginateRequest

__all__ = ["AttemptState", "Step", "final_outcome", "start", "transition"]

_BEFORE_ANSWER = {Phase.DIALING, Phase.RINGING}
_SEEKING = {Phase.SEEKING_AGENT, Phase.AGENT_RINGING}
_MESSAGES = {Phase.ABANDONING, Phase.LEAVING_MESSAGE}
# The customer is talking with someone: the longest talk and a shutdown's deadline apply.
_CONVERSATION = {Phase.TALKING, Phase.TRANSFERRED, Phase.CONFERENCE}
# The agent talks with the third party: the agent hanging up hands the customer over to them.
_WITH_THIRD_PARTY = {Phase.CONSULTING, Phase.CONFERENCE}


def start(spec: AttemptSpec, now: datetime) -> Step:
    request = OriginateRequest.to_number(spec.customer_leg, spec.trunk, spec.number)
    state = AttemptState(
        spec, Phase.DIALING, Timeline(dialed_at=now), frozenset({spec.customer_leg})
    )
    return state, (Originate(request), StartTimer(Timer.RING, now + spec.ring_timeout))


def transition(state: AttemptState, event: FlowEvent) -> Step:
    if state.phase is Phase.DONE:
        return state, ()
    match event:
        case LegDialing(leg, at, call_id) if leg == state.customer:
            # The ring time counts from the INVITE leaving, so the 15 s minimum really holds.
            timeline = replace(state.timeline, dialed_at=at, sip_call_id=call_id)
            restart = StartTimer(Timer.RING, at + state.spec.ring_timeout)
            effects: tuple[Effect, ...] = (restart,) if state.phase is Phase.DIALING else ()
            return replace(state, timeline=timeline), effects
        case LegRinging(leg, at, _, early) if leg == state.customer:
            return _ringing(state, at, early)
        case LegAnswered(leg, at) if leg == state.customer:
            return _customer_answered(state, at)
        case LegAnswered(leg, at) if leg == state.agent_leg and state.phase is Phase.AGENT_RINGING:
            return handoff.agent_answered(state, at)
        case LegAnswered(leg, at) if state.transfer is not None and leg == state.transfer.leg:
            if state.transfer.conference and state.agent_leg is not None:
                return third_party.conferenced(state, at)
            if state.transfer.warm and state.agent_leg is not None:
                return third_party.consulting(state, at)
            return third_party.transfer_answered(state, at)
        case LegEnded(leg) if leg == state.customer:
            return _customer_ended(state, event)
        case LegEnded(leg, at) if state.transfer is not None and leg == state.transfer.leg:
            if state.phase is Phase.CONFERENCE:  # dropped by the agent, or hung up
                return third_party.transfer_failed(state, at, TransferOutcome.DROPPED, event.reason)
            ended_consult = state.phase is Phase.CONSULTING or state.transfer.cancelled
            outcome = (
                TransferOutcome.CANCELLED
                if ended_consult
                else third_party.transfer_outcome(event.sip_status)
            )
            return third_party.transfer_failed(state, at, outcome, event.reason)
        case LegEnded(leg, at) if state.phase in _WITH_THIRD_PARTY and leg == state.agent_leg:
            # The agent hung up after talking with the third party (consulting, or in a
            # three-way call): that completes it, as on desk phones.
            gone = replace(state, live_legs=state.live_legs - {leg}, agent_leg=None)
            return third_party.transfer_answered(gone, at)
        case LegEnded(leg, at) if leg == state.third_party:
            # The third party hung up: the conversation is over, the customer too.
            remaining = replace(state, live_legs=state.live_legs - {leg}, third_party=None)
            return ending(remaining, at, (Hangup(state.customer),))
        case LegEnded(leg, _, status) if (
            leg == state.agent_leg
            and state.phase is Phase.AGENT_RINGING
            and forwarding.forwards_when_ended(state.agent, status)
        ):
            return handoff.forward(replace(state, live_legs=state.live_legs - {leg}))
        case LegEnded(leg) if leg in state.live_legs:
            return handoff.agent_leg_ended(state, leg, event.at)
        case OriginateFailed(leg, at) if leg == state.customer:
            timeline = replace(state.timeline, ended_at=at, sip_reason=event.reason)
            return finish(replace(state, timeline=timeline, live_legs=frozenset()), at)
        case OriginateFailed(leg, at) if state.transfer is not None and leg == state.transfer.leg:
            return third_party.transfer_failed(state, at, TransferOutcome.FAILED, event.reason)
        case OriginateFailed(leg, at, no_capacity=True) if leg == state.agent_leg:
            return handoff.no_slot_for_agent(state, leg, at)
        case OriginateFailed(leg, at) if leg in state.live_legs:
            return handoff.agent_leg_ended(state, leg, at)
        case TimerFired(timer, at):
            return _timer_fired(state, timer, at)
        case AgentClaimed(agent, at) if state.phase is Phase.SEEKING_AGENT:
            return handoff.call_agent(state, agent, at)
        case NoAgentAvailable(at) if state.phase is Phase.SEEKING_AGENT:
            return handoff.no_agent_yet(state, at)
        case AgentClaimed(agent, at) if third_party.claiming_other_agent(state):
            return third_party.ring_other_agent(state, agent, at)
        case NoAgentAvailable(at) if third_party.claiming_other_agent(state):
            return third_party.transfer_failed(state, at, TransferOutcome.NOT_READY, "not ready")
        case PlaybackFinished(leg, at) if leg == state.customer and state.phase in _MESSAGES:
            return ending(state, at, (Hangup(state.customer),))
        case AmdVerdict(leg) if leg == state.customer and state.phase is Phase.DETECTING:
            return _verdict(state, event)
        case BeepHeard(leg, at) if leg == state.customer and state.phase is Phase.AWAITING_BEEP:
            return _leave_message(state, at)
        case TransferRequested():
            return third_party.transfer(state, event)
        case AgentTransferRequested():
            return third_party.transfer_to_agent(state, event)
        case QueueTransferRequested():
            return third_party.transfer_to_queue(state, event)
        case TransferDecided():
            return third_party.transfer_decided(state, event)
        case ConferenceDecided(ConferenceMove.MERGE, at) if state.phase is Phase.CONSULTING:
            return third_party.conferenced(state, at)
        case ConferenceDecided(ConferenceMove.LEAVE, at) if state.phase is Phase.CONFERENCE:
            return third_party.transfer_answered(state, at)
        case ConferenceDecided(ConferenceMove.DROP) if state.phase is Phase.CONFERENCE:
            assert state.transfer is not None
            return state, (Hangup(state.transfer.leg),)  # its LegEnded reports it dropped
        case StopRequested(at, deadline):
            return _stop_requested(state, at, deadline)
    return state, ()


def _ringing(state: AttemptState, at: datetime, early: bool) -> Step:
    if state.phase not in _BEFORE_ANSWER:
        return state, ()
    first = state.timeline.ringing_at is None
    timeline = replace(
        state.timeline,
        ringing_at=state.timeline.ringing_at or at,
        early_media=state.timeline.early_media or early,
    )
    effects: tuple[Effect, ...] = (Notify(Milestone.RINGING, at),) if first else ()
    return replace(state, phase=Phase.RINGING, timeline=timeline), effects


def _customer_answered(state: AttemptState, at: datetime) -> Step:
    answered = replace(
        state, customer_answered=True, timeline=replace(state.timeline, answered_at=at)
    )
    if state.phase not in _BEFORE_ANSWER:
        # Our CANCEL crossed the 200 OK: pjsua acknowledges it, we still end the call.
        return answered, (Hangup(state.customer),)
    effects: tuple[Effect, ...] = (CancelTimer(Timer.RING), Notify(Milestone.ANSWERED, at))
    amd = state.spec.amd
    if amd is not None:
        detecting = replace(answered, phase=Phase.DETECTING)
        return detecting, (
            *effects,
            StartDetection(state.customer, amd),
            StartTimer(Timer.AMD_VERDICT, amd.verdict_deadline(at)),
        )
    answered = replace(answered, timeline=replace(answered.timeline, speech_ended_at=at))
    return handoff.person_on_the_line(answered, at, at, effects)


def _verdict(state: AttemptState, verdict: AmdVerdict) -> Step:
    amd = state.spec.amd
    assert amd is not None
    at = verdict.at
    # A verdict after the total analysis time (NOT_SURE) can come while the person has already
    # been quiet a moment: their greeting ended then, and the 2-second window with it.
    silent = max(
        amd.silence_before(verdict.cause), timedelta(milliseconds=verdict.silence_after_speech_ms)
    )
    speech_end = at - silent
    decided = replace(
        state,
        timeline=replace(
            state.timeline,
            amd_decision=verdict.decision,
            amd_cause=verdict.cause,
            amd_decided_at=at,
            amd_machine_checked=checked_by_agent(verdict.decision, amd),
            speech_ended_at=speech_end,
        ),
    )
    done_listening: tuple[Effect, ...] = (CancelTimer(Timer.AMD_VERDICT),)
    if goes_to_agent(verdict.decision, amd):
        stop = (*done_listening, StopDetection(state.customer))
        # A machine passed to an agent is no live person: its window counts from the verdict.
        window_from = speech_end if verdict.decision is not Decision.MACHINE else at
        return handoff.person_on_the_line(decided, at, window_from, stop)
    if verdict.decision is Decision.MACHINE and amd.on_machine is MachineAction.LEAVE_MESSAGE:
        waiting = replace(decided, phase=Phase.AWAITING_BEEP)
        answered_at = state.timeline.answered_at or at
        return waiting, (*done_listening, StartTimer(Timer.BEEP, amd.beep_deadline(answered_at)))
    stop = (*done_listening, StopDetection(state.customer), Hangup(state.customer))
    return ending(decided, at, stop)


def _leave_message(state: AttemptState, at: datetime) -> Step:
    amd = state.spec.amd
    assert amd is not None and amd.voicemail_message is not None
    return replace(
        state,
        phase=Phase.LEAVING_MESSAGE,
        timeline=replace(state.timeline, voicemail_started_at=at),
    ), (
        CancelTimer(Timer.BEEP),
        StopDetection(state.customer),
        PlayMessage(state.customer, amd.voicemail_message),
    )


def _timer_fired(state: AttemptState, timer: Timer, at: datetime) -> Step:
    if timer is Timer.RING and state.phase in _BEFORE_ANSWER:
        timeline = replace(state.timeline, cancel_reason=CancelReason.RING_TIMEOUT)
        return ending(replace(state, timeline=timeline), at, (Hangup(state.customer),))
    if timer is Timer.ABANDON and state.phase in _SEEKING:
        return handoff.abandon(state, at)
    if timer is Timer.RECLAIM and state.phase is Phase.SEEKING_AGENT and state.agent is None:
        return state, (ClaimAgent(state.spec.attempt_id, until=state.claim_until),)
    if timer is Timer.MAX_TALK and state.phase in _CONVERSATION:
        return ending(state, at, tuple(Hangup(leg) for leg in sorted(state.live_legs)))
    if timer is Timer.AMD_VERDICT and state.phase is Phase.DETECTING:
        # The detector said nothing in time (no audio reached it?): not sure, as the campaign says.
        return _verdict(state, AmdVerdict(state.customer, at, Decision.NOT_SURE, "no verdict", 0))
    if timer is Timer.BEEP and state.phase is Phase.AWAITING_BEEP:
        return _leave_message(state, at)
    if timer is Timer.TRANSFER_RING and state.transfer is not None:
        # CANCEL: the leg ends with 487, reported as no answer, and the agent has the call back.
        return state, (Hangup(state.transfer.leg),)
    if (
        timer is Timer.FORWARD_NO_ANSWER
        and state.phase is Phase.AGENT_RINGING
        and state.agent is not None
        and state.agent.forward is not None
        and state.agent_leg is not None
    ):
        # Ring off the agent's phone; its end (our CANCEL's 487) forwards the call, once its
        # leg slot is back: the attempt holds two, the customer's and one offer at a time.
        return state, (Hangup(state.agent_leg),)
    if timer is Timer.ENDING_GUARD:
        # Legs that never reported their end (no answer to our CANCEL): give them up.
        return finish(state, at)
    return state, ()


def _stop_requested(state: AttemptState, at: datetime, deadline: datetime) -> Step:
    if state.phase in _BEFORE_ANSWER:
        timeline = replace(state.timeline, cancel_reason=CancelReason.SHUTDOWN)
        return ending(replace(state, timeline=timeline), at, (Hangup(state.customer),))
    if state.phase in _CONVERSATION and (
        state.hangup_deadline is None or deadline < state.hangup_deadline
    ):
        return replace(state, hangup_deadline=deadline), (StartTimer(Timer.MAX_TALK, deadline),)
    return state, ()


def _customer_ended(state: AttemptState, ended: LegEnded) -> Step:
    timeline = replace(
        state.timeline,
        ended_at=ended.at,
        sip_status=ended.sip_status,
        sip_reason=ended.reason,
        sip_call_id=ended.sip_call_id or state.timeline.sip_call_id,
        answered_at=state.timeline.answered_at or ended.answered_at,
    )
    after = replace(
        state,
        customer_end=ended,
        customer_answered=state.customer_answered or ended.answered_at is not None,
        live_legs=state.live_legs - {state.customer},
        timeline=timeline,
    )
    effects: list[Effect] = []
    if state.transfer is not None:
        effects += third_party.customer_left(state, ended.at)
        after = replace(after, transfer=None)
    if state.agent is not None and state.agent_leg is not None:
        effects.append(ReleaseAgent(state.agent, handoff.release_reason(state)))
        after = replace(after, agent=None)
    effects += [Hangup(leg) for leg in sorted(after.live_legs)]
    if after.live_legs:
        return ending(after, ended.at, tuple(effects))
    return finish(after, ended.at, tuple(effects))
