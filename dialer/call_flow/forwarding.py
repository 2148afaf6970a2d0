"""Call forwarding in the call flow: the offer to an agent, and where it goes instead.

Pure helpers of the machine (dialer.call_flow.machine): the first offer rings the forward
destination at once (always) or the agent's phone with a no-answer timer (no answer); a busy
answer, or any other failure of a no-answer agent's phone, forwards too. The forwarded leg takes
the agent leg's place, so its answer bridges the customer as the agent's would, within the same
connect window (a forward that is not answered in time ends in the abandonment message). The
call stays the agent's (their attempt, their wrap-up): they asked for it to be taken elsewhere.
A number goes out through the campaign's trunk without the screen-pop headers (those are for
our phones, never for a carrier).
"""

from __future__ import annotations

from datetime import datetime, timedelta

from campaigns.agents import ForwardMode
from campaigns.call_forwarding import ForwardTarget
from dialer.call_flow.effects import Effect, StartTimer
from dialer.call_flow.model import AgentRef, AttemptSpec, Timer
from dialer.telephony.events import LegId
from dialer.telephony.numbers import E164
from dialer.telephony.requests import OriginateRequest, SipHeader

# A phone that answers these is busy; any other final answer is a phone that did not answer.
BUSY_STATUSES = frozenset({486, 600})


def first_offer(
    spec: AttemptSpec, agent: AgentRef, leg: LegId, headers: tuple[SipHeader, ...], at: datetime
) -> tuple[OriginateRequest, tuple[Effect, ...]]:
    """The request that offers the call to ``agent`` and any timer it needs."""
    forward = agent.forward
    if forward is not None and forwards_at_once(forward):
        return forward_request(spec, forward, leg, headers), ()
    request = OriginateRequest(leg=leg, uri=agent.sip_uri, headers=headers)
    after = no_answer_delay(forward)
    if after is not None:
        return request, (StartTimer(Timer.FORWARD_NO_ANSWER, at + after),)
    return request, ()


def forwards_at_once(forward: ForwardTarget | None) -> bool:
    """Whether the offer rings the destination instead of the agent's phone (always)."""
    return forward is not None and forward.mode is ForwardMode.ALWAYS


def no_answer_delay(forward: ForwardTarget | None) -> timedelta | None:
    """How long the agent's phone rings before it is rung off and the call forwarded."""
    if forward is not None and forward.mode is ForwardMode.NO_ANSWER:
        return forward.after
    return None


def forwards_on_end(forward: ForwardTarget | None, sip_status: int) -> bool:
    """Whether the agent's ringing phone ending with ``sip_status`` forwards the call: busy
    (486/600) for `busy`, any end for `no_answer` (declined, unreachable, rung off)."""
    if forward is None:
        return False
    if forward.mode is ForwardMode.BUSY:
        return sip_status in BUSY_STATUSES
    return forward.mode is ForwardMode.NO_ANSWER


def forwards_when_ended(agent: AgentRef | None, sip_status: int) -> bool:
    """Whether the agent's ringing phone ending with ``sip_status`` forwards the call."""
    return forwards_on_end(agent.forward if agent is not None else None, sip_status)


def forward_request(
    spec: AttemptSpec, forward: ForwardTarget, leg: LegId, headers: tuple[SipHeader, ...]
) -> OriginateRequest:
    if forward.number is not None:
        marker = (SipHeader("X-Dialer-Forward", spec.attempt_id),)
        return OriginateRequest.to_number(leg, spec.trunk, E164(forward.number), marker)
    assert forward.uri is not None
    return OriginateRequest(leg=leg, uri=forward.uri, headers=headers)
