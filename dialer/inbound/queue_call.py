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
import re
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum
from pathlib import Path

import phonenumbers
import redis
from phonenumbers import timezone as number_timezone
from psycopg_pool import ConnectionPool

from campaigns.contact_import.time_zones import number_zones
from campaigns.storage import inbound_store
from campaigns.storage.inbound_store import InboundOutcome, Overflow, QueueRoute
from dialer.abandon_message import MessageUnavailable
from dialer.agents.service import AgentService, ClaimedAgent, HandBack
from dialer.call_commands import CallCommandListener
from dialer.inbound import media, queue_board
from dialer.inbound.call_desk import InboundDesk
from dialer.inbound.on_hold import CallerOnHold
from dialer.inbound.place_news import PlaceNews, due
from dialer.inbound.waiting_line import WaitingLine
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
from dialer.telephony.user_agent import UserAgent

log = logging.getLogger(__name__)

POLL_S = 0.1  # how often a waiting caller looks at its place in the line
AGENT_RING_S = 8.0  # an agent's phone that does not answer by then: the next agent is tried
AGENT_LEG_WAIT_S = 1.5  # how long a claimed agent is kept while pjsua frees a call slot
VOICEMAIL_MAX_S = 60.0
ANSWER_WAIT_S = 5.0
HANGUP_WAIT_S = 3.0
_E164 = re.compile(r"\+[1-9][0-9]{6,14}")
_USER = re.compile(r"sips?:([^@;>]+)@")


@dataclass
class InboundContext:
    """What one inbound process shares between its calls."""

    worker: str
    pool: ConnectionPool
    redis: redis.Redis
    telephony: UserAgent
    agents: AgentService
    data_dir: Path
    now: Callable[[], datetime]
    stopping: threading.Event = field(default_factory=threading.Event)
    # The console's commands for answered calls (hang-up, hold, mute, DTMF, recording).
    commands: CallCommandListener | None = None
    agent_ring_s: float = AGENT_RING_S
    voicemail_max_s: float = VOICEMAIL_MAX_S


class AgentTry(StrEnum):
    TALKED = "talked"
    NOT_ANSWERED = "not_answered"
    CALLER_GONE = "caller_gone"


def number_of(uri: str) -> str:
    """The user part of a SIP URI as a number: '+15551234567', or digits given a '+'."""
    found = _USER.search(uri)
    user = found.group(1) if found else uri
    digits = "".join(ch for ch in user if ch.isdigit())
    if user.startswith("+") or (digits and len(digits) >= 7):
        return f"+{digits}" if digits else user
    return user


def _header_text(text: str) -> str:
    """Header values: one line, printable; anything else is dropped, never sent."""
    return "".join(ch for ch in text if ch.isprintable())[:120]


def callback_zones(number: str) -> tuple[str, ...]:
    """The candidate zones of the caller's number (the calling window is checked in each)."""
    try:
        parsed = phonenumbers.parse(number, None)
    except phonenumbers.NumberParseException:
        return ()
    zones = number_zones(
        number_timezone.time_zones_for_number(parsed), phonenumbers.number_type(parsed), None
    )
    return zones


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

    # The whole call.

    def run(self) -> InboundOutcome:
        did = number_of(self.incoming.to_uri)
        caller = number_of(self.incoming.from_uri)
        with self.ctx.pool.connection() as conn:
            route = inbound_store.route_did(conn, did)
            sip_call_id = dict((k.lower(), v) for k, v in self.incoming.headers).get("call-id", "")
            self.call_id, contact = inbound_store.offer_call(
                conn,
                queue_id=route.queue_id if route else None,
                did=did,
                caller=caller,
                campaign_id=route.campaign_id if route else None,
                sip_call_id=sip_call_id,
                worker=self.ctx.worker,
                at=self.incoming.at,
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
                    agent = self.ctx.agents.claim(route.campaign_id, -self.call_id, self.ctx.now())
                    if agent is not None:
                        line.leave(self.call_id)
                        tried = self._connect(agent, route, caller, contact)
                        if tried is AgentTry.TALKED:
                            # Stored before the agent is free again: the agent's next call
                            # never starts before this one has ended in the records.
                            outcome = self._finish(InboundOutcome.ANSWERED)
                            self._release(agent, HandBack.TALKED)
                            return outcome
                        if tried is AgentTry.CALLER_GONE:
                            return self._finish(InboundOutcome.ABANDONED)
                        line.join(self.call_id, offered.timestamp())
                        continue
                waited_s = (self.ctx.now() - offered).total_seconds()
                if due(waited_s, self.hold.told, route.announce_place_s):
                    self._tell_place(route, place.position)
                self.hold.keep_playing(route)
        finally:
            line.leave(self.call_id)

    # The agent.

    def _connect(
        self, agent: ClaimedAgent, route: QueueRoute, caller: str, contact: int | None
    ) -> AgentTry:
        self.agent_legs += 1
        self.agent = agent
        agent_leg = LegId(f"{self.leg}-agent-{self.agent_legs}")
        headers = [
            SipHeader("X-Dialer-Inbound", str(self.call_id)),
            SipHeader("X-Dialer-Campaign", _header_text(route.campaign_name)),
            SipHeader("X-Dialer-Caller", _header_text(caller)),
        ]
        if contact is not None:
            headers.append(SipHeader("X-Dialer-Contact", str(contact)))
        request = OriginateRequest(leg=agent_leg, uri=agent.sip_uri, headers=tuple(headers))
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
        if self.call_id:
            outcome = InboundOutcome.ANSWERED if self.connected else InboundOutcome.ABANDONED
            self._finish(outcome)

    # Overflow.

    def _overflow(self, route: QueueRoute, caller: str) -> InboundOutcome:
        self._stop_hold()
        wants_callback = route.overflow is Overflow.CALLBACK
        zones = callback_zones(caller) if wants_callback else ()
        if wants_callback and route.campaign_id is not None and _E164.fullmatch(caller) and zones:
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
