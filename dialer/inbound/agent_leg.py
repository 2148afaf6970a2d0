"""A claimed ready agent for a queued caller: their phone rung with the screen pop, the caller
bridged to them when they answer, and the talk until either side hangs up.

Agents are claimed with the outbound hand-off's Redis claim (QueuedCall), so the same agents serve
both directions. The agent's call reference is the inbound call's id negated: attempts and
inbound calls never share a number in the agent's state. The agent leg uses the leg reserved when
the call was taken, so a caller who waited is never left unbridged for want of a pjsua slot.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from enum import StrEnum

from campaigns.storage import inbound_store
from campaigns.storage.inbound_store import QueueRoute
from dialer.agent_forwarding import InboundForward, inbound_forwarding_for
from dialer.agents.service import ClaimedAgent, HandBack
from dialer.call_flow import forwarding
from dialer.inbound.call_desk import InboundDesk
from dialer.inbound.caller_leg import CallerLeg
from dialer.inbound.context import InboundContext
from dialer.telephony import NoFreeLeg, TelephonyError
from dialer.telephony.events import LegAnswered, LegEnded, LegId
from dialer.telephony.numbers import E164
from dialer.telephony.requests import OriginateRequest, SipHeader

log = logging.getLogger(__name__)

AGENT_LEG_WAIT_S = 1.5  # how long a claimed agent is kept while pjsua frees a call slot


class AgentTry(StrEnum):
    """What came of trying an agent (a ready one, or a busy one offered a second call)."""

    TALKED = "talked"
    NOT_ANSWERED = "not_answered"
    CALLER_GONE = "caller_gone"


def _header_text(text: str) -> str:
    """Header values: one line, printable; anything else is dropped, never sent."""
    return "".join(ch for ch in text if ch.isprintable())[:120]


def screen_pop(
    call_id: int, route: QueueRoute, caller: str, contact: int | None, from_attempt: int | None
) -> tuple[SipHeader, ...]:
    """The headers the agent's console shows the call from (dialer.softphone.screen_pop)."""
    headers = [
        SipHeader("X-Dialer-Inbound", str(call_id)),
        SipHeader("X-Dialer-Campaign", _header_text(route.campaign_name)),
        SipHeader("X-Dialer-Caller", _header_text(caller)),
    ]
    if contact is not None:
        headers.append(SipHeader("X-Dialer-Contact", str(contact)))
    if from_attempt is not None:
        headers.append(SipHeader("X-Dialer-Transferred-From", str(from_attempt)))
    return tuple(headers)


@dataclass
class _Ringing:
    """The leg rung for the agent and, until it is used, their forward (time.monotonic())."""

    leg: LegId
    forward: InboundForward | None
    forward_at: float | None  # no answer by then: forward
    until: float  # no answer by then: the agent is not answering

    def waits_until(self) -> float:
        return self.until if self.forward_at is None else self.forward_at


class AgentLeg:
    """Ready agents tried for one call, one at a time; `agent` is the one claimed and not yet
    handed back (so a failure can hand them back)."""

    def __init__(self, ctx: InboundContext, call: CallerLeg) -> None:
        self.ctx = ctx
        self.call = call
        self.agent: ClaimedAgent | None = None

    def connect(
        self, agent: ClaimedAgent, route: QueueRoute, caller: str, contact: int | None
    ) -> AgentTry:
        """Ring the agent; on their answer, bridge and talk. A talk leaves the agent claimed
        (the caller stores the call's end before handing them back: `release`)."""
        call = self.call
        agent_leg = call.next_agent_leg()
        self.agent = agent
        headers = screen_pop(call.call_id, route, caller, contact, call.from_attempt)
        found = inbound_forwarding_for(
            self.ctx.pool, agent.agent_id, call.call_id, route.campaign_id
        )
        forward = found
        request = OriginateRequest(leg=agent_leg, uri=agent.sip_uri, headers=headers)
        if found is not None and forwarding.forwards_at_once(found.target):
            request, forward = self._forward_request(found, agent_leg, headers), None
        placed = self._place(request, agent)
        if placed is not None:
            return placed
        delay = forwarding.no_answer_delay(forward.target if forward else None)
        ring = _Ringing(
            agent_leg,
            forward,
            None if delay is None else time.monotonic() + delay.total_seconds(),
            time.monotonic() + self.ctx.agent_ring_s,
        )
        while True:
            event = call.inbox.get(max(0.0, ring.waits_until() - time.monotonic()))
            if event is None and ring.forward is not None and ring.forward_at is not None:
                # No answer in time: the phone rung off (its slot back), the destination rung.
                call.hangup_agent(ring.leg)
                if call.caller_gone:
                    self.release(agent, HandBack.UNUSED)
                    return AgentTry.CALLER_GONE
                placed = self._forward(agent, ring, headers)
                if placed is not None:
                    return placed
                continue
            if event is None:  # the agent's phone rang too long
                call.hangup_agent(ring.leg)
                self.release(agent, HandBack.NOT_ANSWERING)
                return AgentTry.NOT_ANSWERED
            if isinstance(event, LegEnded) and event.leg == call.leg:
                call.caller_gone = True
                call.hangup_agent(ring.leg)
                self.release(agent, HandBack.UNUSED)
                return AgentTry.CALLER_GONE
            if isinstance(event, LegEnded) and event.leg == ring.leg:
                if ring.forward is not None and forwarding.forwards_on_end(
                    ring.forward.target, event.sip_status
                ):
                    placed = self._forward(agent, ring, headers)
                    if placed is not None:
                        return placed
                    continue
                self.release(agent, HandBack.NOT_ANSWERING)
                return AgentTry.NOT_ANSWERED
            if isinstance(event, LegAnswered) and event.leg == ring.leg:
                break
        agent_leg = ring.leg
        call.bridge(agent_leg)
        at = self.ctx.now()
        self.ctx.agents.connected(agent.agent_id, -call.call_id, at)
        with self.ctx.pool.connection() as conn:
            inbound_store.record_answered(conn, call.call_id, agent.agent_id, at)
        log.info("inbound call %s: agent %s connected", call.call_id, agent.agent_id)
        desk = InboundDesk(self.ctx, call.call_id, call.leg, agent.campaign_id, agent.agent_id)
        with desk.talking(agent_leg):
            call.talk(agent_leg)
        return AgentTry.TALKED

    def _forward(
        self, agent: ClaimedAgent, ring: _Ringing, headers: tuple[SipHeader, ...]
    ) -> AgentTry | None:
        """Ring the agent's forward destination on a new leg that takes the agent leg's place
        (and its reserved slot, the agent's phone having ended); the call stays the agent's,
        and the destination rings as long as a phone does, with no forward after it."""
        call = self.call
        forward = ring.forward
        assert forward is not None
        leg = call.next_agent_leg()
        request = self._forward_request(forward, leg, headers)
        to = forward.target.uri or forward.target.number
        log.info("inbound call %s: agent %s forwarded to %s", call.call_id, agent.agent_id, to)
        ring.leg, ring.forward, ring.forward_at = leg, None, None
        ring.until = time.monotonic() + self.ctx.agent_ring_s
        return self._place(request, agent)

    def _forward_request(
        self, forward: InboundForward, leg: LegId, headers: tuple[SipHeader, ...]
    ) -> OriginateRequest:
        """A sip: URI rung with the screen pop; a number through the queue's campaign's trunk
        with the campaign's caller ID and no screen pop (as the outbound call flow forwards)."""
        target = forward.target
        if target.number is not None:
            assert forward.trunk is not None  # inbound_forwarding_for: a number needs the trunk
            marker = (SipHeader("X-Dialer-Forward", f"inbound-{self.call.call_id}"),)
            return OriginateRequest.to_number(leg, forward.trunk, E164(target.number), marker)
        assert target.uri is not None
        return OriginateRequest(leg=leg, uri=target.uri, headers=headers)

    def _place(self, request: OriginateRequest, agent: ClaimedAgent) -> AgentTry | None:
        """Ring the agent; None once rung. pjsua may still hold a slot for an INVITE it just
        refused (a full process keeps being offered calls) although our budget has the leg:
        PJ_ETOOMANY then passes in a moment, so the agent is kept and the INVITE retried."""
        call = self.call
        deadline = time.monotonic() + AGENT_LEG_WAIT_S
        while True:
            try:
                self.ctx.telephony.originate(request, call.inbox, call.reservation)
                return None
            except NoFreeLeg as full:
                if time.monotonic() < deadline and not call.drain(0.05):
                    continue
                error: TelephonyError = full
            except TelephonyError as failed:
                error = failed
            log.warning(
                "inbound call %s: agent %s not rung: %s", call.call_id, agent.agent_id, error
            )
            self.release(agent, HandBack.UNUSED)
            return AgentTry.CALLER_GONE if call.caller_gone else AgentTry.NOT_ANSWERED

    def release(self, agent: ClaimedAgent, how: HandBack) -> None:
        self.agent = None
        now = self.ctx.now()
        # TALKED: wrap-up, left by the agent's disposition (the console's inbound screen pop) or
        # at the campaign's wrap-up limit, as after an outbound call.
        self.ctx.agents.release(agent.agent_id, -self.call.call_id, how, now)

    def hand_back(self) -> None:
        """After an unexpected error: the agent claimed, if any, handed back (to wrap-up if
        they talked to the caller)."""
        if self.agent is not None:
            self.release(self.agent, HandBack.TALKED if self.call.connected else HandBack.UNUSED)
