"""One inbound call, from the INVITE to its outcome: queue, agent, overflow (a blocking driver).

The call's thread owns it from start to end, as a dial task owns an outbound attempt; its legs'
events arrive in its own inbox (the process's dispatcher routes them). It holds a reservation of
one leg for the agent from the moment the call is taken, so a caller never waits for an agent leg
that the process could not place (pjsua2's four calls per process, PJSUA2_NOTES.md).

Agents are claimed with the outbound hand-off's Redis claim (the longest-idle ready agent of the
queue's campaign), so the same agents serve both directions. The agent's call reference is the
inbound call's id negated: attempts and inbound calls never share a number in the agent's state.
"""

from __future__ import annotations

import logging
import time
from datetime import timedelta
from enum import StrEnum
from pathlib import Path

import redis

from campaigns.agents import AgentState
from campaigns.storage import inbound_store
from campaigns.storage.inbound_store import InboundOutcome, Overflow, QueueRoute
from dialer import call_commands, live_events
from dialer.abandon_message import MessageUnavailable
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
from dialer.agents.service import ClaimedAgent, HandBack
from dialer.agents.waiting_offers import Answer
from dialer.call_commands import CallCommand
from dialer.inbound import media, queue_board
from dialer.inbound.call_desk import InboundDesk
from dialer.inbound.caller_number import callback_zones, is_e164, number_of
from dialer.inbound.context import InboundContext
from dialer.inbound.on_hold import CallerOnHold
from dialer.inbound.place_news import PlaceNews, due
from dialer.inbound.waiting_line import WaitingLine
from dialer.inbound.waiting_offer import find_offer
from dialer.queue_transfer import overflow_of, transferred_attempt
from dialer.softphone.screen_pop import CALL_WAITING
from dialer.telephony import NoFreeLeg, TelephonyError
from dialer.telephony.capacity import LegReservation
from dialer.telephony.events import (
    IncomingLeg,
    LegAnswered,
    LegEnded,
    LegId,
    PlaybackFinished,
    TelephonyEvent,
)
from dialer.telephony.interface import QueueInbox
from dialer.telephony.requests import OriginateRequest, SipHeader

# Imported from here by the process and the tests; each lives in its own module.
__all__ = ["InboundContext", "QueuedCall", "callback_zones", "number_of"]

log = logging.getLogger(__name__)

POLL_S = 0.1  # how often a waiting caller looks at its place in the line
AGENT_LEG_WAIT_S = 1.5  # how long a claimed agent is kept while pjsua frees a call slot
ANSWER_WAIT_S = 5.0
HANGUP_WAIT_S = 3.0
OFFER_LOOK_S = 1.0  # how often a caller at the head of the line looks for a busy agent to offer
OFFER_POLL_S = 0.2  # how often an offer waiting for its answer looks at the console's answer


class AgentTry(StrEnum):
    TALKED = "talked"
    NOT_ANSWERED = "not_answered"
    CALLER_GONE = "caller_gone"


def _header_text(text: str) -> str:
    """Header values: one line, printable; anything else is dropped, never sent."""
    return "".join(ch for ch in text if ch.isprintable())[:120]


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
        self.leg = incoming.leg
        self.incoming = incoming
        self.inbox = inbox
        self.reservation = reservation
        self.call_id = 0
        self.caller_gone = False
        self.hold = CallerOnHold(ctx.telephony, incoming.leg, ctx.data_dir)
        self.agent_legs = 0
        self.connected = False
        # The agent claimed and not yet handed back (so a failure can hand them back).
        self.agent: ClaimedAgent | None = None
        # Call waiting: the agents who let this caller's offer pass, and the offer under way
        # (so a failure resumes the agent's held call).
        self.passed_over: set[int] = set()
        self.waiting: CallWaiting | None = None
        self.next_offer_look = 0.0
        # The outbound attempt whose customer an agent transferred to this queue, if any.
        self.from_attempt: int | None = None

    # The whole call.

    def run(self) -> InboundOutcome:
        did = number_of(self.incoming.to_uri)
        caller = number_of(self.incoming.from_uri)
        with self.ctx.pool.connection() as conn:
            route = inbound_store.route_did(conn, did)
            sip_call_id = dict((k.lower(), v) for k, v in self.incoming.headers).get("call-id", "")
            claimed_attempt = transferred_attempt(self.incoming.headers)
            self.call_id, contact = inbound_store.offer_call(
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
                self.from_attempt = inbound_store.transferred_attempt(conn, self.call_id)
                log.info(
                    "inbound call %s: transferred from attempt %s (%s)",
                    self.call_id,
                    claimed_attempt,
                    "linked" if self.from_attempt else "not believed: not linked",
                )
        if route is None:
            log.warning("inbound call %s to %s: no queue has this number", self.call_id, did)
            self._hangup(404)
            return self._finish(InboundOutcome.REJECTED)
        log.info(
            "inbound call %s from %s to %s (queue %s)", self.call_id, caller, did, route.queue_name
        )
        self.ctx.telephony.answer(self.leg)
        if not self._wait_answered():
            return self._finish(InboundOutcome.ABANDONED)
        return self._queue(route, caller, contact)

    def _queue(self, route: QueueRoute, caller: str, contact: int | None) -> InboundOutcome:
        line = WaitingLine(self.ctx.redis, route.queue_id, route.campaign_id)
        offered = self.incoming.at
        line.join(self.call_id, offered.timestamp())
        deadline = offered + timedelta(seconds=route.max_wait_s)
        try:
            while True:
                if self._drain(POLL_S):
                    line.leave(self.call_id)
                    return self._finish(InboundOutcome.ABANDONED)
                if self.ctx.stopping.is_set() or self.ctx.now() >= deadline:
                    line.leave(self.call_id)
                    return self._overflow(route, caller)
                place = line.place(self.call_id)
                if place is None:  # dropped as dead by another process (Redis hiccup): rejoin
                    line.join(self.call_id, offered.timestamp())
                    continue
                if place.position == 0 and route.campaign_id is not None:
                    tried = self._try_agents(route, caller, contact, line)
                    if tried is AgentTry.TALKED:  # stored by then
                        return InboundOutcome.ANSWERED
                    if tried is AgentTry.CALLER_GONE:
                        return self._finish(InboundOutcome.ABANDONED)
                    if tried is not None:
                        line.join(self.call_id, offered.timestamp())
                        continue
                waited_s = (self.ctx.now() - offered).total_seconds()
                if due(waited_s, self.hold.told, route.announce_place_s):
                    self._tell_place(route, place.position)
                self.hold.keep_playing(route)
        finally:
            line.leave(self.call_id)

    # The agent.

    def _try_agents(
        self, route: QueueRoute, caller: str, contact: int | None, line: WaitingLine
    ) -> AgentTry | None:
        """A ready agent, else a busy one with call waiting; None when neither was found."""
        assert route.campaign_id is not None
        agent = self.ctx.agents.claim(route.campaign_id, -self.call_id, self.ctx.now())
        if agent is not None:
            line.leave(self.call_id)
            tried = self._connect(agent, route, caller, contact)
            if tried is AgentTry.TALKED:
                # Stored before the agent is free again: the agent's next call never starts
                # before this one has ended in the records.
                self._finish(InboundOutcome.ANSWERED)
                self._release(agent, HandBack.TALKED)
            return tried
        waiting = self._waiting_offer(route, caller)
        if waiting is None:
            return None
        line.leave(self.call_id)
        return self._second_call(waiting, route, caller, contact)

    def _connect(
        self, agent: ClaimedAgent, route: QueueRoute, caller: str, contact: int | None
    ) -> AgentTry:
        self.agent_legs += 1
        self.agent = agent
        agent_leg = LegId(f"{self.leg}-agent-{self.agent_legs}")
        headers = self._screen_pop(route, caller, contact)
        request = OriginateRequest(leg=agent_leg, uri=agent.sip_uri, headers=headers)
        placed = self._place_agent_leg(request, agent)
        if placed is not None:
            return placed
        ring_until = time.monotonic() + self.ctx.agent_ring_s
        while True:
            event = self.inbox.get(max(0.0, ring_until - time.monotonic()))
            if event is None:  # the agent's phone rang too long
                self._hangup_agent(agent_leg)
                self._release(agent, HandBack.NOT_ANSWERING)
                return AgentTry.NOT_ANSWERED
            if isinstance(event, LegEnded) and event.leg == self.leg:
                self.caller_gone = True
                self._hangup_agent(agent_leg)
                self._release(agent, HandBack.UNUSED)
                return AgentTry.CALLER_GONE
            if isinstance(event, LegEnded) and event.leg == agent_leg:
                self._release(agent, HandBack.NOT_ANSWERING)
                return AgentTry.NOT_ANSWERED
            if isinstance(event, LegAnswered) and event.leg == agent_leg:
                break
        self._stop_hold()
        self.connected = True
        try:
            self.ctx.telephony.bridge(self.leg, agent_leg)
        except TelephonyError as gone:  # an agent who hung up at once: its LegEnded follows
            log.info("inbound call %s: not bridged: %s", self.call_id, gone)
        at = self.ctx.now()
        self.ctx.agents.connected(agent.agent_id, -self.call_id, at)
        with self.ctx.pool.connection() as conn:
            inbound_store.record_answered(conn, self.call_id, agent.agent_id, at)
        log.info("inbound call %s: agent %s connected", self.call_id, agent.agent_id)
        desk = InboundDesk(self.ctx, self.call_id, self.leg, agent.campaign_id, agent.agent_id)
        with desk.talking(agent_leg):
            self._talk(agent_leg)
        return AgentTry.TALKED

    # Call waiting: a busy agent takes the caller as a second call (dialer.agents.call_waiting).

    def _waiting_offer(self, route: QueueRoute, caller: str) -> CallWaiting | None:
        """An offer placed in Redis for a busy agent, or None (looked for once a second)."""
        if route.campaign_id is None or time.monotonic() < self.next_offer_look:
            return None
        self.next_offer_look = time.monotonic() + OFFER_LOOK_S
        now = self.ctx.now()
        waiting = find_offer(
            self.ctx.agents,
            self.ctx.offers,
            route.campaign_id,
            self.call_id,
            route.queue_name,
            caller,
            now,
            self.passed_over,
        )
        if waiting is None or not self.ctx.offers.place(waiting, now):
            return None
        log.info(
            "inbound call %s: offered to agent %s on call %s (call waiting)",
            self.call_id,
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

    def _second_call(
        self, waiting: CallWaiting, route: QueueRoute, caller: str, contact: int | None
    ) -> AgentTry:
        """Ring the agent's phone with the marked INVITE; its answer accepts the offer: the
        first call is held (its worker plays music) and the caller bridged to the agent."""
        self.waiting = waiting
        self.agent_legs += 1
        agent_leg = LegId(f"{self.leg}-agent-{self.agent_legs}")
        headers = (*self._screen_pop(route, caller, contact), SipHeader(CALL_WAITING, "1"))
        uri = self.ctx.agents.live.profile_and_status(waiting.agent_id)[0].sip_uri
        request = OriginateRequest(leg=agent_leg, uri=uri, headers=headers)
        try:
            self.ctx.telephony.originate(request, self.inbox, self.reservation)
        except TelephonyError as failed:
            log.warning("inbound call %s: waiting offer not rung: %s", self.call_id, failed)
            return self._offer_over(waiting, Declined(self.ctx.now()))
        event, phone_gone = self._offer_answer(waiting, agent_leg)
        if not isinstance(event, Accepted):
            if not phone_gone:
                self._hangup_agent(agent_leg)
            gone = "hung up" if self.caller_gone else "went back to the queue"
            self._notify(waiting, route.campaign_id, f"Call waiting: the caller {gone}.")
            return self._offer_over(waiting, event)
        taken, effects = call_waiting.step(waiting, event)
        assert taken is not None
        self.ctx.offers.save(taken)
        self.waiting = taken
        self._carry_out(effects, agent_leg)
        at = self.ctx.now()
        with self.ctx.pool.connection() as conn:
            inbound_store.record_answered(
                conn, self.call_id, waiting.agent_id, at, second_call=True
            )
        log.info(
            "inbound call %s: agent %s took it as a second call", self.call_id, waiting.agent_id
        )
        self._talk(agent_leg)
        self._finish(InboundOutcome.ANSWERED)
        if not self._first_call_on(taken):
            taken = call_waiting.step(taken, FirstCallEnded(self.ctx.now()))[0] or taken
        self._end_second_call(taken)
        # No wrap-up for it (the agent is back with the held customer): the console's call
        # waiting card asks for its disposition (campaigns.storage.second_call_store).
        self._notify(
            taken, route.campaign_id, f"Second call with {caller} over: record its disposition."
        )
        return AgentTry.TALKED

    def _notify(self, waiting: CallWaiting, campaign_id: int | None, message: str) -> None:
        """A notice on the agent's console, beside the call that goes on (their first)."""
        notice = live_events.CallNotice(
            waiting.first_attempt_id, campaign_id or 0, waiting.agent_id, message, self.ctx.now()
        )
        try:
            live_events.publish(self.ctx.redis, notice)
        except redis.RedisError as error:  # the phone still rings; the log keeps it
            log.warning("inbound call %s: notice not published: %s", self.call_id, error)

    def _offer_answer(self, waiting: CallWaiting, agent_leg: LegId) -> tuple[WaitingEvent, bool]:
        """What became of the offer: answered, declined (console or phone), expired, or
        overtaken by the caller or the agent's first call ending; and whether the agent's leg
        has ended already."""
        while True:
            left = (waiting.expires_at - self.ctx.now()).total_seconds()
            if left <= 0:
                return OfferExpired(self.ctx.now()), False
            event = self.inbox.get(min(left, OFFER_POLL_S))
            now = self.ctx.now()
            if isinstance(event, LegEnded) and event.leg == self.leg:
                self.caller_gone = True
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

    def _offer_over(self, waiting: CallWaiting, event: WaitingEvent) -> AgentTry:
        _, effects = call_waiting.step(waiting, event)
        self.ctx.offers.clear(waiting.agent_id, waiting.inbound_call_id)
        self.waiting = None
        self.passed_over.add(waiting.agent_id)
        for effect in effects:
            log.info(
                "inbound call %s: offer to agent %s: %s", self.call_id, waiting.agent_id, effect
            )
        return AgentTry.CALLER_GONE if self.caller_gone else AgentTry.NOT_ANSWERED

    def _end_second_call(self, waiting: CallWaiting) -> None:
        _, effects = call_waiting.step(waiting, WaitingCallEnded(self.ctx.now()))
        self._carry_out(effects, None)
        self.ctx.offers.clear(waiting.agent_id, waiting.inbound_call_id)
        self.waiting = None

    def _carry_out(self, effects: tuple[WaitingEffect, ...], agent_leg: LegId | None) -> None:
        by = f"call waiting (inbound call {self.call_id})"
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
                    self._stop_hold()
                    self.connected = True
                    try:
                        self.ctx.telephony.bridge(self.leg, agent_leg)
                    except TelephonyError as gone:  # the agent hung up at once: LegEnded follows
                        log.info("inbound call %s: not bridged: %s", self.call_id, gone)

    def _place_agent_leg(self, request: OriginateRequest, agent: ClaimedAgent) -> AgentTry | None:
        """Ring the agent; None once rung. pjsua may still hold a slot for an INVITE it just
        refused (a full process keeps being offered calls) although our budget has the leg:
        PJ_ETOOMANY then passes in a moment, so the agent is kept and the INVITE retried."""
        deadline = time.monotonic() + AGENT_LEG_WAIT_S
        while True:
            try:
                self.ctx.telephony.originate(request, self.inbox, self.reservation)
                return None
            except NoFreeLeg as full:
                if time.monotonic() < deadline and not self._drain(0.05):
                    continue
                error: TelephonyError = full
            except TelephonyError as failed:
                error = failed
            log.warning(
                "inbound call %s: agent %s not rung: %s", self.call_id, agent.agent_id, error
            )
            self._release(agent, HandBack.UNUSED)
            return AgentTry.CALLER_GONE if self.caller_gone else AgentTry.NOT_ANSWERED

    def _talk(self, agent_leg: LegId) -> None:
        """Until either side hangs up; then the other side is hung up and its end awaited."""
        ended: set[LegId] = set()
        while not ended:
            event = self.inbox.get(1.0)
            if isinstance(event, LegEnded) and event.leg in (self.leg, agent_leg):
                ended.add(event.leg)
        if self.leg in ended:
            self.caller_gone = True
        for leg in (self.leg, agent_leg):
            if leg not in ended:
                self._hangup_leg(leg)
                self._wait_ended(leg)

    def _screen_pop(
        self, route: QueueRoute, caller: str, contact: int | None
    ) -> tuple[SipHeader, ...]:
        headers = [
            SipHeader("X-Dialer-Inbound", str(self.call_id)),
            SipHeader("X-Dialer-Campaign", _header_text(route.campaign_name)),
            SipHeader("X-Dialer-Caller", _header_text(caller)),
        ]
        if contact is not None:
            headers.append(SipHeader("X-Dialer-Contact", str(contact)))
        if self.from_attempt is not None:
            headers.append(SipHeader("X-Dialer-Transferred-From", str(self.from_attempt)))
        return tuple(headers)

    def _release(self, agent: ClaimedAgent, how: HandBack) -> None:
        self.agent = None
        now = self.ctx.now()
        # TALKED: wrap-up, left by the agent's disposition (the console's inbound screen pop) or
        # at the campaign's wrap-up limit, as after an outbound call.
        self.ctx.agents.release(agent.agent_id, -self.call_id, how, now)

    def fail(self) -> None:
        """After an unexpected error: the agent handed back, the call stored with what it got
        (an outcome is always written, so the call is never unaccounted for)."""
        if self.agent is not None:
            self._release(self.agent, HandBack.TALKED if self.connected else HandBack.UNUSED)
        if self.waiting is not None:  # the agent's first call is not left on hold
            if self.waiting.phase is Phase.ON_SECOND:
                self._end_second_call(self.waiting)
            else:
                self.ctx.offers.clear(self.waiting.agent_id, self.waiting.inbound_call_id)
        if self.call_id:
            outcome = InboundOutcome.ANSWERED if self.connected else InboundOutcome.ABANDONED
            self._finish(outcome)

    # Overflow.

    def _overflow(self, route: QueueRoute, caller: str) -> InboundOutcome:
        self._stop_hold()
        wants_callback = overflow_of(route.overflow, self.from_attempt) is Overflow.CALLBACK
        zones = callback_zones(caller) if wants_callback else ()
        if wants_callback and route.campaign_id is not None and is_e164(caller) and zones:
            with self.ctx.pool.connection() as conn:
                contact = inbound_store.schedule_callback(
                    conn, route.campaign_id, caller, zones, self.ctx.now()
                )
            log.info("inbound call %s: callback scheduled (contact %s)", self.call_id, contact)
            self._say(media.prompt(self.ctx.data_dir, media.CALLBACK_PROMPT))
            self._hangup(200)
            return self._finish(InboundOutcome.CALLBACK)
        return self._voicemail()

    def _voicemail(self) -> InboundOutcome:
        if not self._say(media.prompt(self.ctx.data_dir, media.VOICEMAIL_PROMPT, beep=True)):
            return self._finish(InboundOutcome.ABANDONED)
        target = self.ctx.data_dir / "voicemail" / f"inbound-{self.call_id}.wav"
        target.parent.mkdir(parents=True, exist_ok=True)
        recording = self.ctx.telephony.record([self.leg], target)
        until = time.monotonic() + self.ctx.voicemail_max_s
        while not self.caller_gone and time.monotonic() < until:
            self._drain(min(0.2, max(0.0, until - time.monotonic())))
        self.ctx.telephony.stop_recording(recording)
        self._hangup(200)
        return self._finish(InboundOutcome.VOICEMAIL, recording_path=str(target))

    def _say(self, wav: Path) -> bool:
        """Play a prompt to its end; False when the caller hung up meanwhile."""
        playback = self.ctx.telephony.play(self.leg, wav)
        while not self.caller_gone:
            event = self.inbox.get(1.0)
            if isinstance(event, PlaybackFinished) and event.playback == playback:
                return True
            if event is not None:
                self._note(event)
        return False

    # Small steps.

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
        try:
            said = self.hold.tell(PlaceNews(position + 1, wait))
        except (MessageUnavailable, TelephonyError) as error:  # the music goes on instead
            log.warning("inbound call %s: place not told: %s", self.call_id, error)
            return
        log.info("inbound call %s told: %s", self.call_id, said)

    def _stop_hold(self) -> None:
        self.hold.stop()

    def _wait_answered(self) -> bool:
        until = time.monotonic() + ANSWER_WAIT_S
        while time.monotonic() < until:
            event = self.inbox.get(until - time.monotonic())
            if isinstance(event, LegAnswered) and event.leg == self.leg:
                return True
            if event is not None:
                self._note(event)
            if self.caller_gone:
                return False
        return not self.caller_gone

    def _drain(self, timeout: float) -> bool:
        """Take the events that arrived (waiting up to ``timeout``); True once the caller left."""
        event = self.inbox.get(timeout)
        while event is not None:
            self._note(event)
            event = self.inbox.get(0)
        return self.caller_gone

    def _note(self, event: TelephonyEvent) -> None:
        if isinstance(event, LegEnded) and event.leg == self.leg:
            self.caller_gone = True
        if isinstance(event, PlaybackFinished):
            self.hold.finished(event.playback)

    def _hangup(self, status: int) -> None:
        if not self.caller_gone:
            self._hangup_leg(self.leg, status)

    def _hangup_leg(self, leg: LegId, status: int = 603) -> None:
        try:
            self.ctx.telephony.hangup(leg, status)
        except TelephonyError as gone:  # already ending: its LegEnded is on its way
            log.debug("inbound call %s: %s already ending: %s", self.call_id, leg, gone)

    def _hangup_agent(self, agent_leg: LegId) -> None:
        self._hangup_leg(agent_leg)
        self._wait_ended(agent_leg)

    def _wait_ended(self, leg: LegId) -> None:
        until = time.monotonic() + HANGUP_WAIT_S
        while time.monotonic() < until:
            event = self.inbox.get(until - time.monotonic())
            if isinstance(event, LegEnded) and event.leg == leg:
                if leg == self.leg:
                    self.caller_gone = True
                return
            if event is not None:
                self._note(event)

    def _finish(self, outcome: InboundOutcome, recording_path: str | None = None) -> InboundOutcome:
        with self.ctx.pool.connection() as conn:
            inbound_store.finish_call(
                conn, self.call_id, outcome, self.ctx.now(), recording_path=recording_path
            )
        log.info("inbound call %s: %s", self.call_id, outcome)
        return outcome
