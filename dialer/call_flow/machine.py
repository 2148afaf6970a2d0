"""The outbound call attempt as a pure state machine: ``transition(state, event)``.

No I/O and no clock: every input carries its time, every action is returned as an effect.
Customer leg first; after answer (when a hand-off policy is set) an agent is claimed and
called, and either both legs are bridged or the abandonment message is played to the customer.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from campaigns.amd_policy import MachineAction
from campaigns.attempt import Outcome
from dialer.amd import Decision
from dialer.call_flow import forwarding
from dialer.call_flow.amd_policy import goes_to_agent
from dialer.call_flow.effects import (
    AgentTookOver,
    Bridge,
    CancelTimer,
    ClaimAgent,
    Effect,
    Hangup,
    Notify,
    Originate,
    PlayMessage,
    RecordOutcome,
    ReleaseAgent,
    ReportTransfer,
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
    TimerFired,
    TransferDecided,
    TransferRequested,
)
from dialer.call_flow.model import (
    ENDING_GUARD,
    AgentRef,
    AgentRelease,
    AttemptResult,
    AttemptSpec,
    Milestone,
    Phase,
    Timeline,
    Timer,
    TransferOutcome,
    TransferReport,
)
from dialer.telephony.capacity import LegReservation
from dialer.telephony.events import (
    LegAnswered,
    LegDialing,
    LegEnded,
    LegId,
    LegRinging,
    PlaybackFinished,
    StopRequested,
)
from dialer.telephony.outcomes import CancelReason, classify
from dialer.telephony.requests import OriginateRequest, SipHeader

Step = tuple["AttemptState", tuple[Effect, ...]]

_BEFORE_ANSWER = {Phase.DIALING, Phase.RINGING}
_SEEKING = {Phase.SEEKING_AGENT, Phase.AGENT_RINGING}
_MESSAGES = {Phase.ABANDONING, Phase.LEAVING_MESSAGE}
_LISTENING = {Phase.DETECTING, Phase.AWAITING_BEEP}
# The customer is talking with someone: the longest talk and a shutdown's deadline apply.
_CONVERSATION = {Phase.TALKING, Phase.TRANSFERRED, Phase.CONFERENCE}
# The agent talks with the third party: the agent hanging up hands the customer over to them.
_WITH_THIRD_PARTY = {Phase.CONSULTING, Phase.CONFERENCE}
# SIP finals of a third party that did not take the call: busy, or nobody answered (487: our
# own CANCEL at the transfer's ring timeout).
_BUSY = {486, 600}
_NO_ANSWER = {408, 480, 487}


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

    @property
    def customer(self) -> LegId:
        return self.spec.customer_leg


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
            return _agent_answered(state, at)
        case LegAnswered(leg, at) if state.transfer is not None and leg == state.transfer.leg:
            if state.transfer.conference and state.agent_leg is not None:
                return _conferenced(state, at)
            if state.transfer.warm and state.agent_leg is not None:
                return _consulting(state, at)
            return _transfer_answered(state, at)
        case LegEnded(leg) if leg == state.customer:
            return _customer_ended(state, event)
        case LegEnded(leg, at) if state.transfer is not None and leg == state.transfer.leg:
            if state.phase is Phase.CONFERENCE:  # dropped by the agent, or hung up
                return _transfer_failed(state, at, TransferOutcome.DROPPED, event.reason)
            ended_consult = state.phase is Phase.CONSULTING or state.transfer.cancelled
            outcome = (
                TransferOutcome.CANCELLED if ended_consult else _transfer_outcome(event.sip_status)
            )
            return _transfer_failed(state, at, outcome, event.reason)
        case LegEnded(leg, at) if state.phase in _WITH_THIRD_PARTY and leg == state.agent_leg:
            # The agent hung up after talking with the third party (consulting, or in a
            # three-way call): that completes it, as on desk phones.
            gone = replace(state, live_legs=state.live_legs - {leg}, agent_leg=None)
            return _transfer_answered(gone, at)
        case LegEnded(leg, at) if leg == state.third_party:
            # The third party hung up: the conversation is over, the customer too.
            remaining = replace(state, live_legs=state.live_legs - {leg}, third_party=None)
            return _ending(remaining, at, (Hangup(state.customer),))
        case LegEnded(leg, _, status) if (
            leg == state.agent_leg
            and state.phase is Phase.AGENT_RINGING
            and forwarding.forwards_when_ended(state.agent, status)
        ):
            return _forward(replace(state, live_legs=state.live_legs - {leg}))
        case LegEnded(leg) if leg in state.live_legs:
            return _agent_leg_ended(state, leg, event.at)
        case OriginateFailed(leg, at) if leg == state.customer:
            timeline = replace(state.timeline, ended_at=at, sip_reason=event.reason)
            return _finish(replace(state, timeline=timeline, live_legs=frozenset()), at)
        case OriginateFailed(leg, at) if state.transfer is not None and leg == state.transfer.leg:
            return _transfer_failed(state, at, TransferOutcome.FAILED, event.reason)
        case OriginateFailed(leg, at, no_capacity=True) if leg == state.agent_leg:
            return _no_slot_for_agent(state, leg, at)
        case OriginateFailed(leg, at) if leg in state.live_legs:
            return _agent_leg_ended(state, leg, at)
        case TimerFired(timer, at):
            return _timer_fired(state, timer, at)
        case AgentClaimed(agent, at) if state.phase is Phase.SEEKING_AGENT:
            return _call_agent(state, agent, at)
        case NoAgentAvailable(at) if state.phase is Phase.SEEKING_AGENT:
            return _abandon(state, at)
        case AgentClaimed(agent, at) if _claiming_other_agent(state):
            return _ring_other_agent(state, agent, at)
        case NoAgentAvailable(at) if _claiming_other_agent(state):
            return _transfer_failed(state, at, TransferOutcome.NOT_READY, "not ready")
        case PlaybackFinished(leg, at) if leg == state.customer and state.phase in _MESSAGES:
            return _ending(state, at, (Hangup(state.customer),))
        case AmdVerdict(leg) if leg == state.customer and state.phase is Phase.DETECTING:
            return _verdict(state, event)
        case BeepHeard(leg, at) if leg == state.customer and state.phase is Phase.AWAITING_BEEP:
            return _leave_message(state, at)
        case TransferRequested():
            return _transfer(state, event)
        case AgentTransferRequested():
            return _transfer_to_agent(state, event)
        case TransferDecided():
            return _transfer_decided(state, event)
        case ConferenceDecided(ConferenceMove.MERGE, at) if state.phase is Phase.CONSULTING:
            return _conferenced(state, at)
        case ConferenceDecided(ConferenceMove.LEAVE, at) if state.phase is Phase.CONFERENCE:
            return _transfer_answered(state, at)
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
    return _person_on_the_line(answered, at, at, effects)


def _person_on_the_line(
    answered: AttemptState, at: datetime, window_from: datetime, effects: tuple[Effect, ...]
) -> Step:
    """Talk (no hand-off asked for) or find an agent, who must be connected within the window
    counted from ``window_from`` (the answer, or the end of the greeting with AMD)."""
    state = answered
    handoff = state.spec.handoff
    if handoff is None:
        deadline = at + state.spec.max_talk
        talking = replace(answered, phase=Phase.TALKING, hangup_deadline=deadline)
        return talking, (*effects, StartTimer(Timer.MAX_TALK, deadline))
    # Never before ``at``: a verdict that came late leaves no time, the message starts at once.
    abandon_at = max(at, window_from + handoff.connect_window - handoff.message_margin)
    seeking = replace(answered, phase=Phase.SEEKING_AGENT)
    return seeking, (
        *effects,
        StartTimer(Timer.ABANDON, abandon_at),
        ClaimAgent(state.spec.attempt_id),
    )


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
            speech_ended_at=speech_end,
        ),
    )
    done_listening: tuple[Effect, ...] = (CancelTimer(Timer.AMD_VERDICT),)
    if goes_to_agent(verdict.decision, amd):
        stop = (*done_listening, StopDetection(state.customer))
        # A machine passed to an agent is no live person: its window counts from the verdict.
        window_from = speech_end if verdict.decision is not Decision.MACHINE else at
        return _person_on_the_line(decided, at, window_from, stop)
    if verdict.decision is Decision.MACHINE and amd.on_machine is MachineAction.LEAVE_MESSAGE:
        waiting = replace(decided, phase=Phase.AWAITING_BEEP)
        answered_at = state.timeline.answered_at or at
        return waiting, (*done_listening, StartTimer(Timer.BEEP, amd.beep_deadline(answered_at)))
    stop = (*done_listening, StopDetection(state.customer), Hangup(state.customer))
    return _ending(decided, at, stop)


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


def _offer_headers(spec: AttemptSpec) -> tuple[SipHeader, ...]:
    return (SipHeader("X-Attempt-Id", spec.attempt_id), *spec.screen_pop)


def _call_agent(state: AttemptState, agent: AgentRef, at: datetime) -> Step:
    tried = (*state.timeline.agents_tried, agent.agent_id)
    leg = state.spec.agent_leg(len(tried))
    request, timers = forwarding.first_offer(state.spec, agent, leg, _offer_headers(state.spec), at)
    if agent.forward is not None and request.uri != agent.sip_uri:
        agent = replace(agent, forward=None)  # forwarded at once (always): nothing more to do
    return replace(
        state,
        phase=Phase.AGENT_RINGING,
        agent=agent,
        agent_leg=leg,
        live_legs=state.live_legs | {leg},
        timeline=replace(state.timeline, agents_tried=tried),
    ), (Originate(request), *timers)


def _forward(state: AttemptState) -> Step:
    """Offer the call to the agent's forward destination instead (once), the agent's phone
    having ended (busy, rejected, or rung off when it did not answer in time)."""
    agent = state.agent
    assert agent is not None and agent.forward is not None
    leg = state.spec.forward_leg(len(state.timeline.agents_tried))
    request = forwarding.forward_request(state.spec, agent.forward, leg, _offer_headers(state.spec))
    return replace(
        state,
        agent=replace(agent, forward=None),
        agent_leg=leg,
        live_legs=state.live_legs | {leg},
    ), (CancelTimer(Timer.FORWARD_NO_ANSWER), Originate(request, may_take_free_leg=True))


def _agent_answered(state: AttemptState, at: datetime) -> Step:
    assert state.agent_leg is not None
    deadline = at + state.spec.max_talk
    return replace(
        state,
        phase=Phase.TALKING,
        talked_with=state.agent,
        hangup_deadline=deadline,
        timeline=replace(state.timeline, agent_connected_at=at),
    ), (
        Bridge(state.customer, state.agent_leg),
        CancelTimer(Timer.ABANDON),
        StartTimer(Timer.MAX_TALK, deadline),
        Notify(Milestone.AGENT_CONNECTED, at),
    )


def _agent_leg_ended(state: AttemptState, leg: LegId, at: datetime) -> Step:
    remaining = replace(state, live_legs=state.live_legs - {leg})
    if leg != state.agent_leg or state.agent is None:
        return _maybe_finish(remaining, at, ())
    cleared = replace(remaining, agent=None, agent_leg=None)
    if state.phase is Phase.AGENT_RINGING:
        # The agent's phone failed or rejected: report it, try another agent while time remains.
        release = ReleaseAgent(state.agent, AgentRelease.NOT_ANSWERING)
        seeking = replace(cleared, phase=Phase.SEEKING_AGENT)
        return seeking, (release, ClaimAgent(state.spec.attempt_id))
    release = ReleaseAgent(state.agent, _release_reason(state))
    if state.phase is Phase.TALKING:
        return _ending(cleared, at, (release, Hangup(state.customer)))
    return _maybe_finish(cleared, at, (release,))


def _release_reason(state: AttemptState) -> AgentRelease:
    return AgentRelease.TALKED if state.talked_with is not None else AgentRelease.UNUSED


def _no_slot_for_agent(state: AttemptState, leg: LegId, at: datetime) -> Step:
    """Our process cannot place the agent leg: hand the agent back untouched and abandon."""
    assert state.agent is not None
    release = ReleaseAgent(state.agent, AgentRelease.UNUSED)
    cleared = replace(state, live_legs=state.live_legs - {leg}, agent=None, agent_leg=None)
    abandoned, effects = _abandon(cleared, at)
    return abandoned, (release, *effects)


def _abandon(state: AttemptState, at: datetime) -> Step:
    effects: list[Effect] = []
    if state.agent is not None and state.agent_leg is not None:
        effects += [Hangup(state.agent_leg), ReleaseAgent(state.agent, AgentRelease.NOT_ANSWERING)]
    assert state.spec.handoff is not None
    effects += [
        CancelTimer(Timer.ABANDON),
        PlayMessage(state.customer, state.spec.handoff.abandon_message),
        Notify(Milestone.ABANDONED, at),
    ]
    return replace(
        state,
        phase=Phase.ABANDONING,
        agent=None,
        timeline=replace(state.timeline, message_started_at=at),
    ), tuple(effects)


def _timer_fired(state: AttemptState, timer: Timer, at: datetime) -> Step:
    if timer is Timer.RING and state.phase in _BEFORE_ANSWER:
        timeline = replace(state.timeline, cancel_reason=CancelReason.RING_TIMEOUT)
        return _ending(replace(state, timeline=timeline), at, (Hangup(state.customer),))
    if timer is Timer.ABANDON and state.phase in _SEEKING:
        return _abandon(state, at)
    if timer is Timer.MAX_TALK and state.phase in _CONVERSATION:
        return _ending(state, at, tuple(Hangup(leg) for leg in sorted(state.live_legs)))
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
        return _finish(state, at)
    return state, ()


def _stop_requested(state: AttemptState, at: datetime, deadline: datetime) -> Step:
    if state.phase in _BEFORE_ANSWER:
        timeline = replace(state.timeline, cancel_reason=CancelReason.SHUTDOWN)
        return _ending(replace(state, timeline=timeline), at, (Hangup(state.customer),))
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
        if state.phase is not Phase.CONFERENCE:  # a three-way call just ends (conferenced)
            effects.append(_report(state.transfer, TransferOutcome.CUSTOMER_LEFT, ended.at))
        effects += _other_agent_released(state.transfer, TransferOutcome.CUSTOMER_LEFT)
        after = replace(after, transfer=None)
    if state.agent is not None and state.agent_leg is not None:
        effects.append(ReleaseAgent(state.agent, _release_reason(state)))
        after = replace(after, agent=None)
    effects += [Hangup(leg) for leg in sorted(after.live_legs)]
    if after.live_legs:
        return _ending(after, ended.at, tuple(effects))
    return _finish(after, ended.at, tuple(effects))


def _transfer(state: AttemptState, asked: TransferRequested) -> Step:
    """Blind transfer: ring the third party through the campaign's trunk while the agent keeps
    the customer (on hold); the answer passes the customer on, anything else gives them back."""
    at = asked.at
    refusal = _transfer_refusal(state)
    if refusal:
        number = asked.destination.value
        report = TransferReport(number, at, TransferOutcome.REFUSED, at, refusal)
        return state, (ReportTransfer(report),)
    n = state.transfers + 1
    leg = state.spec.transfer_leg(n)
    headers = (SipHeader("X-Dialer-Transfer", state.spec.attempt_id),)
    request = OriginateRequest.to_number(leg, state.spec.trunk, asked.destination, headers)
    transfer = Transfer(
        asked.destination.value, leg, at, warm=asked.warm, conference=asked.conference
    )
    return replace(
        state,
        phase=Phase.TRANSFERRING,
        transfer=transfer,
        transfers=n,
        live_legs=state.live_legs | {leg},
    ), (
        Originate(request, asked.reservation),
        StartTimer(Timer.TRANSFER_RING, at + state.spec.transfer_ring_timeout),
    )


def _transfer_to_agent(state: AttemptState, asked: AgentTransferRequested) -> Step:
    """To another agent: claim them (that agent or nobody) while the customer is on hold; the
    claim's answer rings them on the next agent leg (below) or gives the customer back."""
    at = asked.at
    refusal = _transfer_refusal(state)
    if not refusal and state.agent is not None and state.agent.agent_id == asked.agent_id:
        refusal = "the call is yours already"
    if refusal:
        report = TransferReport(asked.name, at, TransferOutcome.REFUSED, at, refusal)
        return state, (ReportTransfer(report),)
    leg = state.spec.agent_leg(len(state.timeline.agents_tried) + 1)
    transfer = Transfer(
        asked.name, leg, at, warm=asked.warm, wanted=asked.agent_id, reservation=asked.reservation
    )
    claiming = replace(
        state, phase=Phase.TRANSFERRING, transfer=transfer, transfers=state.transfers + 1
    )
    return claiming, (ClaimAgent(state.spec.attempt_id, asked.agent_id),)


def _claiming_other_agent(state: AttemptState) -> bool:
    transfer = state.transfer
    return (
        state.phase is Phase.TRANSFERRING
        and transfer is not None
        and transfer.wanted is not None
        and transfer.agent is None
    )


def _ring_other_agent(state: AttemptState, agent: AgentRef, at: datetime) -> Step:
    """The other agent is ours: ring their phone with the screen pop, on the next agent leg
    (the reporter names the attempt's agent leg by the agents tried so far)."""
    transfer = state.transfer
    assert transfer is not None
    request = OriginateRequest(transfer.leg, agent.sip_uri, headers=_offer_headers(state.spec))
    tried = (*state.timeline.agents_tried, agent.agent_id)
    return replace(
        state,
        transfer=replace(transfer, agent=agent, destination=agent.name or transfer.destination),
        live_legs=state.live_legs | {transfer.leg},
        timeline=replace(state.timeline, agents_tried=tried),
    ), (
        Originate(request, transfer.reservation),
        StartTimer(Timer.TRANSFER_RING, at + state.spec.transfer_ring_timeout),
    )


def _transfer_refusal(state: AttemptState) -> str:
    if state.phase in {Phase.TRANSFERRING, Phase.CONSULTING}:
        return "a transfer is already ringing"
    if state.phase is Phase.TRANSFERRED:
        return "the call was transferred already"
    if state.phase is Phase.CONFERENCE:
        return "a three-way call is on: leave it or drop the third party first"
    if state.phase is not Phase.TALKING or state.agent_leg is None:
        return "no agent is talking on this call"
    return ""


def _consulting(state: AttemptState, at: datetime) -> Step:
    """Warm transfer: the third party answered; the agent talks with them (the customer stays
    on hold) until the agent completes or cancels."""
    assert state.agent_leg is not None
    return _third_party_joins(state, at, Phase.CONSULTING, (state.agent_leg,))


def _conferenced(state: AttemptState, at: datetime) -> Step:
    """Three-way: the third party answered and joins the customer and the agent (the call
    desk takes the customer off hold and bridges them with the agent again on the report)."""
    assert state.agent_leg is not None
    return _third_party_joins(state, at, Phase.CONFERENCE, (state.customer, state.agent_leg))


_JOINED = {
    Phase.CONSULTING: TransferOutcome.CONSULTING,
    Phase.CONFERENCE: TransferOutcome.CONFERENCED,
}


def _third_party_joins(
    state: AttemptState, at: datetime, phase: Phase, bridged_to: tuple[LegId, ...]
) -> Step:
    transfer = state.transfer
    assert transfer is not None
    return replace(state, phase=phase), (
        CancelTimer(Timer.TRANSFER_RING),
        _report(transfer, _JOINED[phase], at),
        *(Bridge(leg, transfer.leg) for leg in bridged_to),
    )


def _transfer_decided(state: AttemptState, decided: TransferDecided) -> Step:
    transfer = state.transfer
    if transfer is None:
        return state, ()  # over already (answered, gone): nothing to decide
    if decided.complete:
        if state.phase is not Phase.CONSULTING:
            return state, ()  # the third party has not answered: nobody to hand over to
        return _transfer_answered(state, decided.at)
    cancelled = replace(state, transfer=replace(transfer, cancelled=True))
    return cancelled, (Hangup(transfer.leg),)  # its LegEnded gives the customer back


def _transfer_answered(state: AttemptState, at: datetime) -> Step:
    """The third party took the call: bridge them to the customer, let the agent go."""
    transfer = state.transfer
    assert transfer is not None
    if transfer.agent is not None:
        return _agent_takes_over(state, transfer.agent, at)
    return replace(
        state,
        phase=Phase.TRANSFERRED,
        transfer=None,
        third_party=transfer.leg,
        agent=None,
        agent_leg=None,
    ), _handed_over(state, transfer, at)


def _handed_over(state: AttemptState, transfer: Transfer, at: datetime) -> tuple[Effect, ...]:
    """The customer goes to the transfer's answered leg; the agent is let go (wrap-up now)."""
    effects: list[Effect] = [
        CancelTimer(Timer.TRANSFER_RING),
        _report(transfer, TransferOutcome.ANSWERED, at),
        Bridge(state.customer, transfer.leg),
    ]
    if state.agent_leg is not None:
        effects.append(Hangup(state.agent_leg))
    if state.agent is not None:
        effects.append(ReleaseAgent(state.agent, AgentRelease.TRANSFERRED))
    return tuple(effects)


def _agent_takes_over(state: AttemptState, agent: AgentRef, at: datetime) -> Step:
    """Transferred to another agent: they are bridged to the customer and become the attempt's
    agent (its disposition is theirs); the first agent goes to wrap-up now."""
    transfer = state.transfer
    assert transfer is not None
    took_over = (AgentTookOver(agent), Notify(Milestone.AGENT_TOOK_OVER, at))
    return replace(
        state,
        phase=Phase.TALKING,
        transfer=None,
        agent=agent,
        agent_leg=transfer.leg,
        talked_with=agent,
    ), (*_handed_over(state, transfer, at), *took_over)


def _transfer_failed(
    state: AttemptState, at: datetime, outcome: TransferOutcome, reason: str
) -> Step:
    """Busy, no answer or failed: the customer goes back to the agent, who is told."""
    transfer = state.transfer
    assert transfer is not None
    back = replace(
        state,
        phase=Phase.TALKING,
        transfer=None,
        live_legs=state.live_legs - {transfer.leg},
    )
    effects: tuple[Effect, ...] = (
        CancelTimer(Timer.TRANSFER_RING),
        _report(transfer, outcome, at, reason),
        *_other_agent_released(transfer, outcome),
    )
    if state.agent_leg is None:
        # The agent left while the third party rang: nobody is left for the customer.
        return _ending(back, at, (*effects, Hangup(state.customer)))
    return back, effects


def _other_agent_released(transfer: Transfer, outcome: TransferOutcome) -> tuple[Effect, ...]:
    """The other agent of a transfer that did not happen goes back: paused when their phone
    did not take the call (as any agent not answering), ready when it was called off."""
    if transfer.agent is None:
        return ()
    failed = outcome in {TransferOutcome.BUSY, TransferOutcome.NO_ANSWER, TransferOutcome.FAILED}
    reason = AgentRelease.NOT_ANSWERING if failed else AgentRelease.UNUSED
    return (ReleaseAgent(transfer.agent, reason),)


def _transfer_outcome(sip_status: int | None) -> TransferOutcome:
    if sip_status in _BUSY:
        return TransferOutcome.BUSY
    if sip_status in _NO_ANSWER:
        return TransferOutcome.NO_ANSWER
    return TransferOutcome.FAILED


def _report(
    transfer: Transfer, outcome: TransferOutcome, at: datetime, reason: str = ""
) -> ReportTransfer:
    return ReportTransfer(
        TransferReport(
            transfer.destination, transfer.requested_at, outcome, at, reason, transfer.leg
        )
    )


def _ending(state: AttemptState, at: datetime, effects: tuple[Effect, ...]) -> Step:
    if state.phase is Phase.ENDING:
        return state, effects
    guard = StartTimer(Timer.ENDING_GUARD, at + ENDING_GUARD)
    cancels = tuple(CancelTimer(t) for t in Timer if t is not Timer.ENDING_GUARD)
    stop: tuple[Effect, ...] = (StopDetection(state.customer),) if state.phase in _LISTENING else ()
    return replace(state, phase=Phase.ENDING), (*cancels, *stop, *effects, guard)


def _maybe_finish(state: AttemptState, at: datetime, effects: tuple[Effect, ...]) -> Step:
    if state.customer_end is not None and not state.live_legs:
        return _finish(state, at, effects)
    return state, effects


def _finish(state: AttemptState, at: datetime, effects: tuple[Effect, ...] = ()) -> Step:
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
