"""One inbound call, from the INVITE to its outcome: queue, agent, overflow (a blocking driver).

The call's thread owns it from start to end, as a dial task owns an outbound attempt; its legs'
events arrive in its own inbox (the process's dispatcher routes them). It holds a reservation of
one leg for the agent from the moment the call is taken, so a caller never waits for an agent leg
that the process could not place (pjsua2's four calls per process, PJSUA2_NOTES.md).

This module is the call's course: stored, answered, queued with music and its place told, until
an agent takes it or its wait runs out. Its parts share the caller's leg
(dialer.inbound.caller_leg): a ready agent rung and talked to (dialer.inbound.agent_leg), a busy
agent offered the caller as a second call (dialer.inbound.second_call), and the overflow to a
callback or a voicemail (dialer.inbound.overflow).
"""

from __future__ import annotations

import logging
from datetime import timedelta

from campaigns.storage import inbound_store
from campaigns.storage.inbound_store import InboundOutcome, QueueRoute
from dialer.abandon_message import MessageUnavailable
from dialer.agents.service import HandBack
from dialer.inbound import queue_board
from dialer.inbound.agent_leg import AgentLeg, AgentTry
from dialer.inbound.caller_leg import CallerLeg
from dialer.inbound.caller_number import callback_zones, number_of
from dialer.inbound.context import InboundContext
from dialer.inbound.overflow import overflow
from dialer.inbound.place_news import PlaceNews, due
from dialer.inbound.second_call import SecondCall
from dialer.inbound.waiting_line import WaitingLine
from dialer.queue_transfer import transferred_attempt
from dialer.telephony import TelephonyError
from dialer.telephony.capacity import LegReservation
from dialer.telephony.events import IncomingLeg
from dialer.telephony.interface import QueueInbox

# Imported from here by the process and the tests; each lives in its own module.
__all__ = ["InboundContext", "QueuedCall", "callback_zones", "number_of"]

log = logging.getLogger(__name__)

POLL_S = 0.1  # how often a waiting caller looks at its place in the line


class QueuedCall:
    """Drive one call; `run` returns when the call is over and its outcome is stored."""

    def __init__(
        self,
        ctx: InboundContext,
        incoming: IncomingLeg,
        inbox: QueueInbox,
        reservation: LegReservation,
    ) -> None:
        self.ctx = ctx
        self.incoming = incoming
        self.caller_leg = CallerLeg(ctx, incoming, inbox, reservation)
        self.agent_leg = AgentLeg(ctx, self.caller_leg)
        self.second_call = SecondCall(ctx, self.caller_leg)

    @property
    def call_id(self) -> int:
        """The inbound call's row (0 until it is stored): the process logs a failure with it."""
        return self.caller_leg.call_id

    # The whole call.

    def run(self) -> InboundOutcome:
        call = self.caller_leg
        did = number_of(self.incoming.to_uri)
        caller = number_of(self.incoming.from_uri)
        with self.ctx.pool.connection() as conn:
            route = inbound_store.route_did(conn, did)
            sip_call_id = dict((k.lower(), v) for k, v in self.incoming.headers).get("call-id", "")
            claimed_attempt = transferred_attempt(self.incoming.headers)
            call.call_id, contact = inbound_store.offer_call(
                conn,
                queue_id=route.queue_id if route else None,
                did=did,
                caller=caller,
                campaign_id=route.campaign_id if route else None,
                sip_call_id=sip_call_id,
                worker=self.ctx.worker,
                at=self.incoming.at,
                transferred_attempt=claimed_attempt,
            )
            if claimed_attempt is not None:
                call.from_attempt = inbound_store.transferred_attempt(conn, call.call_id)
                log.info(
                    "inbound call %s: transferred from attempt %s (%s)",
                    call.call_id,
                    claimed_attempt,
                    "linked" if call.from_attempt else "not believed: not linked",
                )
        if route is None:
            log.warning("inbound call %s to %s: no queue has this number", call.call_id, did)
            call.hangup(404)
            return call.finish(InboundOutcome.REJECTED)
        log.info(
            "inbound call %s from %s to %s (queue %s)", call.call_id, caller, did, route.queue_name
        )
        self.ctx.telephony.answer(call.leg)
        if not call.wait_answered():
            return call.finish(InboundOutcome.ABANDONED)
        return self._queue(route, caller, contact)

    def _queue(self, route: QueueRoute, caller: str, contact: int | None) -> InboundOutcome:
        call = self.caller_leg
        line = WaitingLine(self.ctx.redis, route.queue_id, route.campaign_id)
        offered = self.incoming.at
        line.join(call.call_id, offered.timestamp())
        deadline = offered + timedelta(seconds=route.max_wait_s)
        try:
            while True:
                if call.drain(POLL_S):
                    line.leave(call.call_id)
                    return call.finish(InboundOutcome.ABANDONED)
                if self.ctx.stopping.is_set() or self.ctx.now() >= deadline:
                    line.leave(call.call_id)
                    return overflow(call, route, caller)
                place = line.place(call.call_id)
                if place is None:  # dropped as dead by another process (Redis hiccup): rejoin
                    line.join(call.call_id, offered.timestamp())
                    continue
                if place.position == 0 and route.campaign_id is not None:
                    tried = self._try_agents(route, caller, contact, line)
                    if tried is AgentTry.TALKED:  # stored by then
                        return InboundOutcome.ANSWERED
                    if tried is AgentTry.CALLER_GONE:
                        return call.finish(InboundOutcome.ABANDONED)
                    if tried is not None:
                        line.join(call.call_id, offered.timestamp())
                        continue
                waited_s = (self.ctx.now() - offered).total_seconds()
                if due(waited_s, call.hold.told, route.announce_place_s):
                    self._tell_place(route, place.position)
                call.hold.keep_playing(route)
        finally:
            line.leave(call.call_id)

    def _try_agents(
        self, route: QueueRoute, caller: str, contact: int | None, line: WaitingLine
    ) -> AgentTry | None:
        """A ready agent, else a busy one with call waiting; None when neither was found."""
        assert route.campaign_id is not None
        call_id = self.caller_leg.call_id
        agent = self.ctx.agents.claim(route.campaign_id, -call_id, self.ctx.now())
        if agent is not None:
            line.leave(call_id)
            tried = self.agent_leg.connect(agent, route, caller, contact)
            if tried is AgentTry.TALKED:
                # Stored before the agent is free again: the agent's next call never starts
                # before this one has ended in the records.
                self.caller_leg.finish(InboundOutcome.ANSWERED)
                self.agent_leg.release(agent, HandBack.TALKED)
            return tried
        waiting = self.second_call.offer(route, caller)
        if waiting is None:
            return None
        line.leave(call_id)
        return self.second_call.ring(waiting, route, caller, contact)

    def _tell_place(self, route: QueueRoute, position: int) -> None:
        """The caller's place in line and estimated wait, as the wallboard has them."""
        wait = None
        if route.campaign_id is not None:
            now = self.ctx.now()
            floor = self.ctx.agents.floors([route.campaign_id], now).get(route.campaign_id)
            states = [agent.state for agent in floor.agents] if floor else []
            with self.ctx.pool.connection() as conn:
                wait = queue_board.caller_estimate(
                    conn, route.campaign_id, route.queue_id, position, states, now
                )
        call_id = self.caller_leg.call_id
        try:
            said = self.caller_leg.hold.tell(PlaceNews(position + 1, wait))
        except (MessageUnavailable, TelephonyError) as error:  # the music goes on instead
            log.warning("inbound call %s: place not told: %s", call_id, error)
            return
        log.info("inbound call %s told: %s", call_id, said)

    def fail(self) -> None:
        """After an unexpected error: the agent handed back, the call stored with what it got
        (an outcome is always written, so the call is never unaccounted for)."""
        call = self.caller_leg
        self.agent_leg.hand_back()
        self.second_call.fail()
        if call.call_id:
            outcome = InboundOutcome.ANSWERED if call.connected else InboundOutcome.ABANDONED
            call.finish(outcome)
