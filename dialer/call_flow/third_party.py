"""A third party on an outbound call, as pure transitions of the attempt's state machine:
blind and warm transfer to a number or to another agent, and the three-way call.

The third party's leg is rung (a number through the campaign's trunk; another agent, once
claimed, on the next agent leg with the screen pop) while the customer is on hold. Its answer
hands the customer over (blind; warm once the agent completes), or joins the agent's
consultation, or the three of them (three-way); busy, no answer, a failure or a cancel gives
the customer back to the agent, who is told. ``machine.transition`` routes the events here.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

from dialer.call_flow.effects import (
    AgentJoined,
    AgentTookOver,
    Bridge,
    CancelTimer,
    ClaimAgent,
    Effect,
    Hangup,
    Notify,
    Originate,
    ReleaseAgent,
    ReportTransfer,
    StartTimer,
)
from dialer.call_flow.inputs import (
    AgentTransferRequested,
    QueueTransferRequested,
    TransferDecided,
    TransferRequested,
)
from dialer.call_flow.model import (
    AgentRef,
    AgentRelease,
    Milestone,
    Phase,
    Timer,
    TransferOutcome,
    TransferReport,
)
from dialer.call_flow.state import AttemptState, Step, Transfer, ending, offer_headers
from dialer.queue_transfer import QUEUE_ANSWER_TIMEOUT, queue_leg
from dialer.telephony.events import LegId
from dialer.telephony.requests import OriginateRequest, SipHeader

# SIP finals of a third party that did not take the call: busy, or nobody answered (487: our
# own CANCEL at the transfer's ring timeout).
_BUSY = {486, 600}
_NO_ANSWER = {408, 480, 487}


def transfer(state: AttemptState, asked: TransferRequested) -> Step:
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


def transfer_to_queue(state: AttemptState, asked: QueueTransferRequested) -> Step:
    """Blind, to an inbound queue: a leg to the inbound side with the queue's number and the
    customer's caller ID (dialer.queue_transfer). The inbound side answers at once and queues
    it, so the answer hands the customer over as a blind transfer's does; a full inbound
    process (486), a number it does not route (404) or no answer gives them back."""
    at = asked.at
    label = asked.queue.label
    refusal = _transfer_refusal(state)
    if refusal:
        return state, (
            ReportTransfer(TransferReport(label, at, TransferOutcome.REFUSED, at, refusal)),
        )
    n = state.transfers + 1
    leg = state.spec.transfer_leg(n)
    request = queue_leg(
        leg, asked.queue, asked.inbound_address, state.spec.attempt_id, state.spec.number
    )
    return replace(
        state,
        phase=Phase.TRANSFERRING,
        transfer=Transfer(label, leg, at),
        transfers=n,
        live_legs=state.live_legs | {leg},
    ), (
        Originate(request, asked.reservation),
        StartTimer(Timer.TRANSFER_RING, at + QUEUE_ANSWER_TIMEOUT),
    )


def transfer_to_agent(state: AttemptState, asked: AgentTransferRequested) -> Step:
    """To another agent (or a three-way call with them): claim them (that agent or nobody)
    while the customer is on hold; the claim's answer rings them on the next agent leg (below)
    or gives the customer back."""
    at = asked.at
    refusal = _transfer_refusal(state)
    if not refusal and state.agent is not None and state.agent.agent_id == asked.agent_id:
        refusal = "the call is yours already"
    if refusal:
        report = TransferReport(asked.name, at, TransferOutcome.REFUSED, at, refusal)
        return state, (ReportTransfer(report),)
    leg = state.spec.agent_leg(len(state.timeline.agents_tried) + 1)
    transfer = Transfer(
        asked.name,
        leg,
        at,
        warm=asked.warm,
        conference=asked.conference,
        wanted=asked.agent_id,
        reservation=asked.reservation,
    )
    claiming = replace(
        state, phase=Phase.TRANSFERRING, transfer=transfer, transfers=state.transfers + 1
    )
    return claiming, (ClaimAgent(state.spec.attempt_id, asked.agent_id),)


def claiming_other_agent(state: AttemptState) -> bool:
    transfer = state.transfer
    return (
        state.phase is Phase.TRANSFERRING
        and transfer is not None
        and transfer.wanted is not None
        and transfer.agent is None
    )


def ring_other_agent(state: AttemptState, agent: AgentRef, at: datetime) -> Step:
    """The other agent is ours: ring their phone with the screen pop, on the next agent leg
    (the reporter names the attempt's agent leg by the agents tried so far)."""
    transfer = state.transfer
    assert transfer is not None
    request = OriginateRequest(transfer.leg, agent.sip_uri, headers=offer_headers(state.spec))
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


def consulting(state: AttemptState, at: datetime) -> Step:
    """Warm transfer: the third party answered; the agent talks with them (the customer stays
    on hold) until the agent completes or cancels."""
    assert state.agent_leg is not None
    return _third_party_joins(state, at, Phase.CONSULTING, (state.agent_leg,))


def conferenced(state: AttemptState, at: datetime) -> Step:
    """Three-way: the third party answered and joins the customer and the agent (the call
    desk takes the customer off hold and bridges them with the agent again on the report).
    Another agent is on call with the attempt from now on; it stays the first agent's."""
    assert state.agent_leg is not None and state.transfer is not None
    joined = replace(state, transfer=replace(state.transfer, joined=True))
    after, effects = _third_party_joins(
        joined, at, Phase.CONFERENCE, (state.customer, state.agent_leg)
    )
    other = state.transfer.agent
    return after, (*effects, AgentJoined(other)) if other is not None else effects


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


def transfer_decided(state: AttemptState, decided: TransferDecided) -> Step:
    transfer = state.transfer
    if transfer is None:
        return state, ()  # over already (answered, gone): nothing to decide
    if decided.complete:
        if state.phase is not Phase.CONSULTING:
            return state, ()  # the third party has not answered: nobody to hand over to
        return transfer_answered(state, decided.at)
    cancelled = replace(state, transfer=replace(transfer, cancelled=True))
    return cancelled, (Hangup(transfer.leg),)  # its LegEnded gives the customer back


def transfer_answered(state: AttemptState, at: datetime) -> Step:
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


def transfer_failed(
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
        return ending(back, at, (*effects, Hangup(state.customer)))
    return back, effects


def customer_left(state: AttemptState, at: datetime) -> tuple[Effect, ...]:
    """The customer hung up while the third party rang or talked with the agent: the transfer
    is reported so (a three-way call just ends, conferenced), another agent is let go."""
    transfer = state.transfer
    assert transfer is not None
    left = TransferOutcome.CUSTOMER_LEFT
    report = () if state.phase is Phase.CONFERENCE else (_report(transfer, left, at),)
    return (*report, *_other_agent_released(transfer, left))


def _other_agent_released(transfer: Transfer, outcome: TransferOutcome) -> tuple[Effect, ...]:
    """The other agent of a transfer that did not happen goes back: paused when their phone
    did not take the call (as any agent not answering), ready when it was called off; to
    wrap-up (without the disposition) when they were in a three-way call (dropped, hung up,
    or the customer left)."""
    if transfer.agent is None:
        return ()
    if transfer.joined:
        return (ReleaseAgent(transfer.agent, AgentRelease.CONFERENCED),)
    failed = outcome in {TransferOutcome.BUSY, TransferOutcome.NO_ANSWER, TransferOutcome.FAILED}
    reason = AgentRelease.NOT_ANSWERING if failed else AgentRelease.UNUSED
    return (ReleaseAgent(transfer.agent, reason),)


def transfer_outcome(sip_status: int | None) -> TransferOutcome:
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
