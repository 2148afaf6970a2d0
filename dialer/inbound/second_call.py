"""Call waiting for one queued caller: a busy agent offered the caller as a second call, their
phone rung, and on their answer the first call held and the caller bridged to them (the rules
are pure: dialer.agents.call_waiting; whom to offer: dialer.inbound.waiting_offer).

The agent's live state is not touched: an offered agent, and one talking to the second caller,
stays on call with their first attempt, so the claim never takes them. The first call is held
and resumed through its worker's command list (dialer.call_commands). A caller whose offer came
to nothing goes back to the line; the agents who let it pass are not offered it again.
"""

from __future__ import annotations

import logging
import time

import redis

from campaigns.agents import AgentState
from campaigns.storage import inbound_store
from campaigns.storage.inbound_store import InboundOutcome, QueueRoute
from dialer import call_commands, live_events
from dialer.agents import call_waiting
from dialer.agents.call_waiting import (
    Accepted,
    CallWaiting,
    ConnectWaiting,
    Declined,
    FirstCallEnded,
    HoldFirst,
    OfferExpired,
    Phase,
    ResumeFirst,
    WaitingCallEnded,
    WaitingEffect,
    WaitingEvent,
)
from dialer.agents.waiting_offers import Answer
from dialer.call_commands import CallCommand
from dialer.inbound.agent_leg import AgentTry, screen_pop
from dialer.inbound.caller_leg import CallerLeg
from dialer.inbound.context import InboundContext
from dialer.inbound.waiting_offer import find_offer
from dialer.softphone.screen_pop import CALL_WAITING
from dialer.telephony import TelephonyError
from dialer.telephony.events import LegAnswered, LegEnded, LegId
from dialer.telephony.requests import OriginateRequest, SipHeader

log = logging.getLogger(__name__)

OFFER_LOOK_S = 1.0  # how often a caller at the head of the line looks for a busy agent to offer
OFFER_POLL_S = 0.2  # how often an offer waiting for its answer looks at the console's answer


class SecondCall:
    """The caller's offers to busy agents, one at a time, over the whole call."""

    def __init__(self, ctx: InboundContext, call: CallerLeg) -> None:
        self.ctx = ctx
        self.call = call
        # The agents who let this caller's offer pass, and the offer under way (so a failure
        # resumes the agent's held call).
        self.passed_over: set[int] = set()
        self.waiting: CallWaiting | None = None
        self.next_offer_look = 0.0

    def offer(self, route: QueueRoute, caller: str) -> CallWaiting | None:
        """An offer placed in Redis for a busy agent, or None (looked for once a second)."""
        if route.campaign_id is None or time.monotonic() < self.next_offer_look:
            return None
        self.next_offer_look = time.monotonic() + OFFER_LOOK_S
        call_id = self.call.call_id
        now = self.ctx.now()
        waiting = find_offer(
            self.ctx.agents,
            self.ctx.offers,
            route.campaign_id,
            call_id,
            route.queue_name,
            caller,
            now,
            self.passed_over,
        )
        if waiting is None or not self.ctx.offers.place(waiting, now):
            return None
        log.info(
            "inbound call %s: offered to agent %s on call %s (call waiting)",
            call_id,
            waiting.agent_id,
            waiting.first_attempt_id,
        )
        self._notify(
            waiting,
            route.campaign_id,
            f"Call waiting: {caller} in {route.queue_name}. Answer it on your phone to take it"
            " (your customer is put on hold), or decline.",
        )
        return waiting

    def ring(
        self, waiting: CallWaiting, route: QueueRoute, caller: str, contact: int | None
    ) -> AgentTry:
        """Ring the agent's phone with the marked INVITE; its answer accepts the offer: the
        first call is held (its worker plays music) and the caller bridged to the agent."""
        call = self.call
        self.waiting = waiting
        agent_leg = call.next_agent_leg()
        pop = screen_pop(call.call_id, route, caller, contact, call.from_attempt)
        headers = (*pop, SipHeader(CALL_WAITING, "1"))
        uri = self.ctx.agents.live.profile_and_status(waiting.agent_id)[0].sip_uri
        request = OriginateRequest(leg=agent_leg, uri=uri, headers=headers)
        try:
            self.ctx.telephony.originate(request, call.inbox, call.reservation)
        except TelephonyError as failed:
            log.warning("inbound call %s: waiting offer not rung: %s", call.call_id, failed)
            return self._over(waiting, Declined(self.ctx.now()))
        event, phone_gone = self._answer(waiting, agent_leg)
        if not isinstance(event, Accepted):
            if not phone_gone:
                call.hangup_agent(agent_leg)
            gone = "hung up" if call.caller_gone else "went back to the queue"
            self._notify(waiting, route.campaign_id, f"Call waiting: the caller {gone}.")
            return self._over(waiting, event)
        taken, effects = call_waiting.step(waiting, event)
        assert taken is not None
        self.ctx.offers.save(taken)
        self.waiting = taken
        self._carry_out(effects, agent_leg)
        at = self.ctx.now()
        with self.ctx.pool.connection() as conn:
            inbound_store.record_answered(
                conn, call.call_id, waiting.agent_id, at, second_call=True
            )
        log.info(
            "inbound call %s: agent %s took it as a second call", call.call_id, waiting.agent_id
        )
        call.talk(agent_leg)
        call.finish(InboundOutcome.ANSWERED)
        if not self._first_call_on(taken):
            taken = call_waiting.step(taken, FirstCallEnded(self.ctx.now()))[0] or taken
        self._end(taken)
        # No wrap-up for it (the agent is back with the held customer): the console's call
        # waiting card asks for its disposition (campaigns.storage.second_call_store).
        self._notify(
            taken, route.campaign_id, f"Second call with {caller} over: record its disposition."
        )
        return AgentTry.TALKED

    def fail(self) -> None:
        """After an unexpected error: the agent's first call is not left on hold, and an offer
        still ringing is withdrawn."""
        if self.waiting is None:
            return
        if self.waiting.phase is Phase.ON_SECOND:
            self._end(self.waiting)
        else:
            self.ctx.offers.clear(self.waiting.agent_id, self.waiting.inbound_call_id)

    def _notify(self, waiting: CallWaiting, campaign_id: int | None, message: str) -> None:
        """A notice on the agent's console, beside the call that goes on (their first)."""
        notice = live_events.CallNotice(
            waiting.first_attempt_id, campaign_id or 0, waiting.agent_id, message, self.ctx.now()
        )
        try:
            live_events.publish(self.ctx.redis, notice)
        except redis.RedisError as error:  # the phone still rings; the log keeps it
            log.warning("inbound call %s: notice not published: %s", self.call.call_id, error)

    def _answer(self, waiting: CallWaiting, agent_leg: LegId) -> tuple[WaitingEvent, bool]:
        """What became of the offer: answered, declined (console or phone), expired, or
        overtaken by the caller or the agent's first call ending; and whether the agent's leg
        has ended already."""
        call = self.call
        while True:
            left = (waiting.expires_at - self.ctx.now()).total_seconds()
            if left <= 0:
                return OfferExpired(self.ctx.now()), False
            event = call.inbox.get(min(left, OFFER_POLL_S))
            now = self.ctx.now()
            if isinstance(event, LegEnded) and event.leg == call.leg:
                call.caller_gone = True
                return WaitingCallEnded(now), False
            if isinstance(event, LegEnded) and event.leg == agent_leg:
                return Declined(now), True
            if isinstance(event, LegAnswered) and event.leg == agent_leg:
                return Accepted(now), False
            answer = self.ctx.offers.answer_of(waiting.agent_id, waiting.inbound_call_id)
            if answer is Answer.DECLINE:
                return Declined(now), False
            if not self._first_call_on(waiting):
                return FirstCallEnded(now), False

    def _first_call_on(self, waiting: CallWaiting) -> bool:
        """The agent is still talking on the call that was (or is to be) held: once it ends
        they are in wrap-up for it, or on another call."""
        status = self.ctx.agents.status(waiting.agent_id)
        return status.state is AgentState.ON_CALL and status.attempt_id == waiting.first_attempt_id

    def _over(self, waiting: CallWaiting, event: WaitingEvent) -> AgentTry:
        _, effects = call_waiting.step(waiting, event)
        self.ctx.offers.clear(waiting.agent_id, waiting.inbound_call_id)
        self.waiting = None
        self.passed_over.add(waiting.agent_id)
        for effect in effects:
            log.info(
                "inbound call %s: offer to agent %s: %s",
                self.call.call_id,
                waiting.agent_id,
                effect,
            )
        return AgentTry.CALLER_GONE if self.call.caller_gone else AgentTry.NOT_ANSWERED

    def _end(self, waiting: CallWaiting) -> None:
        _, effects = call_waiting.step(waiting, WaitingCallEnded(self.ctx.now()))
        self._carry_out(effects, None)
        self.ctx.offers.clear(waiting.agent_id, waiting.inbound_call_id)
        self.waiting = None

    def _carry_out(self, effects: tuple[WaitingEffect, ...], agent_leg: LegId | None) -> None:
        by = f"call waiting (inbound call {self.call.call_id})"
        for effect in effects:
            match effect:
                case HoldFirst(attempt_id):
                    call_commands.send(
                        self.ctx.redis, attempt_id, CallCommand.HOLD, by, self.ctx.now()
                    )
                case ResumeFirst(attempt_id):
                    call_commands.send(
                        self.ctx.redis, attempt_id, CallCommand.RESUME, by, self.ctx.now()
                    )
                case ConnectWaiting() if agent_leg is not None:
                    self.call.bridge(agent_leg)
