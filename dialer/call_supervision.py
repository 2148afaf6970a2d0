"""A supervisor on a live call: their softphone called in as one more leg, in a mode.

The paths for each mode are decided by dialer.supervision (pure); this object places the
supervisor's leg and applies those paths with ``Telephony.transmit``. The leg counts against
the process's 4 (dialer.telephony.capacity): it is reserved before anything else happens, and
when none is free the command is refused and the call is not touched.

One supervisor at a time per call: another softphone asking while one is on is refused. The
supervisor leaves with ``supervise_leave`` or by hanging up their phone; either way the
customer and the agent's own bridge was never changed, so they do not notice.

CallFeatures calls this under its lock (commands arrive on the listener's thread).
"""

from __future__ import annotations

import itertools
import logging

from dialer.supervision import AudioPath, Party, SuperviseMode, switch
from dialer.telephony import NoFreeLeg, Telephony, TelephonyError
from dialer.telephony.capacity import reserve_feature_leg
from dialer.telephony.events import LegEnded, LegId
from dialer.telephony.interface import Inbox
from dialer.telephony.requests import OriginateRequest

log = logging.getLogger(__name__)


class SupervisionRefused(Exception):
    """The supervisor's command cannot be carried out now; the message says why."""


class Supervision:
    def __init__(self, telephony: Telephony, customer: LegId) -> None:
        self._telephony = telephony
        self._customer = customer
        self._seq = itertools.count(1)
        self._leg: LegId | None = None
        self._inbox: Inbox | None = None
        self._phone = ""
        self._mode: SuperviseMode | None = None

    @property
    def mode(self) -> SuperviseMode | None:
        self._notice_hang_up()
        return self._mode

    def enter(self, mode: SuperviseMode, agent: LegId, phone: str) -> None:
        """Call ``phone`` into the call in ``mode``, or switch the mode of the one already on."""
        self._notice_hang_up()
        if self._leg is None:
            self._call_in(phone)
        elif phone != self._phone:
            raise SupervisionRefused(f"another supervisor ({self._phone}) is on this call")
        self._apply(mode, agent)

    def leave(self) -> None:
        """Hang up the supervisor's leg; the customer and the agent go on as they were."""
        self._notice_hang_up()
        leg = self._leg
        if leg is None:
            raise SupervisionRefused("no supervisor is on this call")
        self._forget()
        try:
            self._telephony.hangup(leg)
        except TelephonyError as gone:  # hung up on their side meanwhile
            log.info("leg %s: supervisor already gone: %s", leg, gone)

    def finish(self) -> None:
        """The attempt is over: the supervisor goes with it."""
        if self._leg is not None:
            self.leave()

    def _call_in(self, phone: str) -> None:
        try:
            reservation = reserve_feature_leg(self._telephony)
        except NoFreeLeg as full:
            raise SupervisionRefused(str(full)) from None
        leg = LegId(f"{self._customer}:supervisor{next(self._seq)}")
        inbox = self._telephony.open_inbox()
        try:
            self._telephony.originate(OriginateRequest(leg=leg, uri=phone), inbox, reservation)
        except TelephonyError:
            self._telephony.close_inbox(inbox)
            raise
        finally:
            # The placed leg keeps its slot until it ends (the budget gets it back then).
            reservation.release()
        self._leg, self._inbox, self._phone = leg, inbox, phone

    def _apply(self, mode: SuperviseMode, agent: LegId) -> None:
        assert self._leg is not None
        legs = {Party.CUSTOMER: self._customer, Party.AGENT: agent, Party.SUPERVISOR: self._leg}
        change = switch(self._mode, mode)
        # Stops first: before the supervisor answers they fail (no audio yet) and nothing moved.
        for path in change.stop:
            self._transmit(legs, path, on=False)
        for path in change.start:
            self._transmit(legs, path, on=True)  # waits for the supervisor's answer if need be
        self._mode = mode

    def _transmit(self, legs: dict[Party, LegId], path: AudioPath, on: bool) -> None:
        try:
            self._telephony.transmit(legs[path.source], legs[path.to], on)
        except TelephonyError as error:
            if not error.permanent:
                raise SupervisionRefused("the supervisor's phone has not answered yet") from None
            raise

    def _notice_hang_up(self) -> None:
        """The supervisor hung up their phone (or never answered): forget their leg."""
        inbox = self._inbox
        while inbox is not None:
            event = inbox.get(0)
            if event is None:
                return
            if isinstance(event, LegEnded) and event.leg == self._leg:
                log.info("leg %s: supervisor left (%s)", event.leg, event.reason)
                self._forget()
                return

    def _forget(self) -> None:
        if self._inbox is not None:
            self._telephony.close_inbox(self._inbox)
        self._leg, self._inbox, self._phone, self._mode = None, None, "", None
