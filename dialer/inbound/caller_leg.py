"""The caller's side of one inbound call, as every part of its driver shares it: the call's id,
the caller's leg and its inbox, what the caller hears on hold, whether the caller has gone or
been bridged to an agent, and the outcome stored at the end.

Owned by the call's thread (QueuedCall and its parts: dialer.inbound.agent_leg,
dialer.inbound.second_call, dialer.inbound.overflow). Every wait here reads the call's own inbox
and notes what passes by (the caller's end, the end of a place sentence), so no part of the call
misses the caller hanging up while it waits for something else.
"""

from __future__ import annotations

import logging
import time
from pathlib import Path

from campaigns.storage import inbound_store
from campaigns.storage.inbound_store import InboundOutcome
from dialer.inbound.context import InboundContext
from dialer.inbound.on_hold import CallerOnHold
from dialer.telephony import TelephonyError
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

log = logging.getLogger(__name__)

ANSWER_WAIT_S = 5.0
HANGUP_WAIT_S = 3.0


class CallerLeg:
    """One inbound call's caller leg and the state its parts share."""

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
        # The leg held for the agent from the moment the call is taken (every agent leg uses it).
        self.reservation = reservation
        self.call_id = 0
        self.caller_gone = False
        self.hold = CallerOnHold(ctx.telephony, incoming.leg, ctx.data_dir)
        self.agent_legs = 0
        self.connected = False
        # The outbound attempt whose customer an agent transferred to this queue, if any.
        self.from_attempt: int | None = None

    def next_agent_leg(self) -> LegId:
        """A new name for the next agent leg (each agent tried gets their own)."""
        self.agent_legs += 1
        return LegId(f"{self.leg}-agent-{self.agent_legs}")

    def bridge(self, agent_leg: LegId) -> None:
        """The caller to the agent who answered: the hold audio stops, the call counts as
        answered (a failure later stores it so)."""
        self.stop_hold()
        self.connected = True
        try:
            self.ctx.telephony.bridge(self.leg, agent_leg)
        except TelephonyError as gone:  # an agent who hung up at once: its LegEnded follows
            log.info("inbound call %s: not bridged: %s", self.call_id, gone)

    def talk(self, agent_leg: LegId) -> None:
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
                self.hangup_leg(leg)
                self.wait_ended(leg)

    def say(self, wav: Path) -> bool:
        """Play a prompt to its end; False when the caller hung up meanwhile."""
        playback = self.ctx.telephony.play(self.leg, wav)
        while not self.caller_gone:
            event = self.inbox.get(1.0)
            if isinstance(event, PlaybackFinished) and event.playback == playback:
                return True
            if event is not None:
                self.note(event)
        return False

    def stop_hold(self) -> None:
        self.hold.stop()

    def wait_answered(self) -> bool:
        until = time.monotonic() + ANSWER_WAIT_S
        while time.monotonic() < until:
            event = self.inbox.get(until - time.monotonic())
            if isinstance(event, LegAnswered) and event.leg == self.leg:
                return True
            if event is not None:
                self.note(event)
            if self.caller_gone:
                return False
        return not self.caller_gone

    def drain(self, timeout: float) -> bool:
        """Take the events that arrived (waiting up to ``timeout``); True once the caller left."""
        event = self.inbox.get(timeout)
        while event is not None:
            self.note(event)
            event = self.inbox.get(0)
        return self.caller_gone

    def note(self, event: TelephonyEvent) -> None:
        if isinstance(event, LegEnded) and event.leg == self.leg:
            self.caller_gone = True
        if isinstance(event, PlaybackFinished):
            self.hold.finished(event.playback)

    def hangup(self, status: int) -> None:
        if not self.caller_gone:
            self.hangup_leg(self.leg, status)

    def hangup_leg(self, leg: LegId, status: int = 603) -> None:
        try:
            self.ctx.telephony.hangup(leg, status)
        except TelephonyError as gone:  # already ending: its LegEnded is on its way
            log.debug("inbound call %s: %s already ending: %s", self.call_id, leg, gone)

    def hangup_agent(self, agent_leg: LegId) -> None:
        self.hangup_leg(agent_leg)
        self.wait_ended(agent_leg)

    def wait_ended(self, leg: LegId) -> None:
        until = time.monotonic() + HANGUP_WAIT_S
        while time.monotonic() < until:
            event = self.inbox.get(until - time.monotonic())
            if isinstance(event, LegEnded) and event.leg == leg:
                if leg == self.leg:
                    self.caller_gone = True
                return
            if event is not None:
                self.note(event)

    def finish(self, outcome: InboundOutcome, recording_path: str | None = None) -> InboundOutcome:
        with self.ctx.pool.connection() as conn:
            inbound_store.finish_call(
                conn, self.call_id, outcome, self.ctx.now(), recording_path=recording_path
            )
        log.info("inbound call %s: %s", self.call_id, outcome)
        return outcome
