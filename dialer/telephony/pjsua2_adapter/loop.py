"""The SIP loop: the one thread that owns the pjsua2 Endpoint, and the state only it touches.

It creates the Endpoint (so, after any fork, in the process that uses it), runs
``libHandleEvents`` with ``threadCnt = 0`` (every SIP callback runs on it), executes the commands
other threads submit, keeps every live pjsua2 object in its registry and drops ended ones on its
own thread, and destroys everything in order.
"""

from __future__ import annotations

import gc
import itertools
import logging
import queue
import socket
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future
from concurrent.futures import TimeoutError as FutureTimeout
from pathlib import Path
from typing import TypeVar

import pjsua2 as pj

from dialer.telephony.capacity import LegBudget, LegReservation
from dialer.telephony.endpoint_config import AudioDevice, EndpointConfig
from dialer.telephony.errors import NoFreeLeg, TelephonyError, UnknownLeg
from dialer.telephony.events import LegDialing, LegEnded, LegId
from dialer.telephony.interface import Inbox
from dialer.telephony.pjsua2_adapter import accounts, media
from dialer.telephony.pjsua2_adapter.callbacks import SipAccount, SipCall
from dialer.telephony.pjsua2_adapter.objects import (
    FramePort,
    LegState,
    LogWriter,
    Recording,
    pj_error,
    utc_now,
)
from dialer.telephony.requests import OriginateRequest
from dialer.telephony.trunk import DigestCredentials
from dialer.telephony.user_agent import Line

log = logging.getLogger("dialer.telephony.pjsua2_adapter")

T = TypeVar("T")

_G711 = ("PCMU/", "PCMA/")
# libHandleEvents wait when idle. Submitted commands do not wait for it: they wake the loop
# with a CRLF keep-alive (RFC 5626) sent to our own SIP port, which pjsip silently drops.
_POLL_MS = 100
_WAKE_UP = b"\r\n\r\n"
AccountKey = tuple[str | None, DigestCredentials | None]
# pjsua full while our budget was not (a hung-up call still waiting for its peer): one leg is
# held back this long.
_TOO_MANY_HOLD_SECONDS = 5.0
_ENDED_RECORDINGS_KEPT = 64


class SipLoop:
    """State touched only by the loop thread (commands run there through ``submit``)."""

    def __init__(self, config: EndpointConfig, budget: LegBudget, incoming: Inbox) -> None:
        self.config = config
        self.budget = budget
        self.incoming_inbox = incoming
        self.commands: queue.SimpleQueue[Callable[[], None]] = queue.SimpleQueue()
        self.stopping = threading.Event()
        self.ready = threading.Event()
        self.startup_error: BaseException | None = None
        self.sip_port = 0
        self.ep: pj.Endpoint | None = None
        self.log_writer: LogWriter | None = None
        self.accounts: dict[AccountKey, SipAccount] = {}
        self.lines: dict[str, tuple[SipAccount, Line]] = {}
        self.legs: dict[LegId, LegState] = {}
        self.recordings: dict[str, Recording] = {}
        # Recordings dropped because all their legs ended: their paths, until stop_recording
        # asks (then it waits for the WAV header). Bounded: a caller may never ask.
        self.ended_recordings: dict[str, Path] = {}
        self.port_pool: list[FramePort] = []
        self.taps: dict[str, tuple[LegId, FramePort]] = {}
        # Ends seen in a callback; the slot is freed and LegEnded delivered after it returns,
        # so whoever sees LegEnded can place a new leg at once.
        self.ended: list[LegEnded] = []
        self.ids = itertools.count(1)
        self.lingering: list[tuple[float, LegReservation | None]] = []
        family = socket.AF_INET6 if ":" in config.bound_address else socket.AF_INET
        self.wake_socket = socket.socket(family, socket.SOCK_DGRAM)
        self.thread = threading.Thread(target=self.run, name="sip-loop", daemon=True)

    # -- lifecycle --------------------------------------------------------------------------
    def run(self) -> None:
        try:
            self.create()
        except Exception as exc:  # noqa: BLE001 - re-raised by start() in the caller's thread
            self.startup_error = exc
            self.ready.set()
            return
        self.ready.set()
        try:
            while not self.stopping.is_set():
                self.pump(_POLL_MS)
        finally:
            self.destroy()
            self.wake_socket.close()

    def pump(self, ms: int) -> None:
        assert self.ep is not None
        self.ep.libHandleEvents(ms)  # releases the GIL while it waits
        self.release_ended()
        self.release_lingering()
        while True:
            try:
                command = self.commands.get_nowait()
            except queue.Empty:
                break
            command()
            self.release_ended()

    def create(self) -> None:
        cfg = self.config
        ep = pj.Endpoint()
        ep.libCreate()
        self.ep = ep
        ep_cfg = pj.EpConfig()
        ep_cfg.uaConfig.threadCnt = 0
        ep_cfg.uaConfig.mainThreadOnly = False
        ep_cfg.uaConfig.maxCalls = cfg.max_legs
        ep_cfg.uaConfig.userAgent = cfg.user_agent
        self.log_writer = LogWriter()
        ep_cfg.logConfig.writer = self.log_writer
        ep_cfg.logConfig.level = cfg.log_level
        # pjsua hands the writer only what passes consoleLevel; the writer replaces stdout.
        ep_cfg.logConfig.consoleLevel = cfg.log_level
        ep_cfg.logConfig.decor = 0
        med = ep_cfg.medConfig
        med.clockRate = 8000  # G.711 is 8 kHz: no resampling in the bridge
        med.sndClockRate = 8000
        med.noVad = True
        med.ecTailLen = 0
        ep.libInit(ep_cfg)
        transport = pj.TransportConfig()
        transport.port = cfg.sip_port
        transport.boundAddress = cfg.bound_address
        transport.publicAddress = cfg.public_address
        transport_id = ep.transportCreate(pj.PJSIP_TRANSPORT_UDP, transport)
        ep.libStart()
        if cfg.audio_device is AudioDevice.NULL:
            ep.audDevManager().setNullDev()
        # AudioDevice.DEFAULT: pjsua opens the system's default devices when a call is wired.
        for codec in ep.codecEnum2():
            ep.codecSetPriority(codec.codecId, 255 if codec.codecId.startswith(_G711) else 0)
        self.sip_port = int(ep.transportGetInfo(transport_id).localName.rpartition(":")[2])
        accounts.account(self, None, None).setDefault()
        log.info("pjsua2 endpoint up on %s:%d", cfg.advertised_address, self.sip_port)

    def destroy(self) -> None:
        ep = self.ep
        if ep is None:
            return
        try:
            ep.hangupAllCalls()
            deadline = time.monotonic() + self.config.shutdown_grace
            while self.legs and time.monotonic() < deadline:
                ep.libHandleEvents(10)
                self.release_ended()
            if self.legs:
                log.warning("shutdown: %d legs did not end in time", len(self.legs))
            self.legs.clear()
            self.recordings.clear()
            self.taps.clear()
            self.port_pool.clear()
            gc.collect()
            for account in [*self.accounts.values(), *(a for a, _ in self.lines.values())]:
                account.shutdown()
            self.accounts.clear()
            self.lines.clear()
            gc.collect()
            ep.libDestroy()
        except pj.Error as exc:
            log.error("pjsua2 shutdown: %s", pj_error("libDestroy", exc))
        finally:
            self.ep = None
            self.log_writer = None

    def submit(self, command: Callable[[], T]) -> T:
        if threading.current_thread() is self.thread:
            return command()
        if self.stopping.is_set() or not self.thread.is_alive():
            raise TelephonyError("the SIP endpoint is stopped", permanent=False)
        future: Future[T] = Future()

        def run() -> None:
            try:
                future.set_result(command())
            except Exception as exc:  # noqa: BLE001 - re-raised in the waiting caller
                future.set_exception(exc)

        self.commands.put(run)
        self.wake()
        try:
            return future.result(timeout=self.config.command_timeout)
        except FutureTimeout as exc:
            raise TelephonyError("the SIP loop did not answer in time", permanent=False) from exc

    def wake(self) -> None:
        """Make libHandleEvents return now; no pjsua2 call, so any thread may do it."""
        address = self.config.bound_address
        if not address or address in {"0.0.0.0", "::"}:
            address = "127.0.0.1"
        try:
            self.wake_socket.sendto(_WAKE_UP, (address, self.sip_port))
        except OSError as exc:  # the command still runs at the next poll
            log.debug("wake-up packet failed: %s", exc)

    # -- legs -------------------------------------------------------------------------------
    def leg(self, leg: LegId) -> LegState:
        try:
            return self.legs[leg]
        except KeyError:
            raise UnknownLeg(leg) from None

    def originate(
        self, request: OriginateRequest, inbox: Inbox, reservation: LegReservation | None
    ) -> None:
        if request.leg in self.legs:
            raise TelephonyError(f"leg {request.leg} is already live", permanent=True)
        if reservation is not None:
            reservation.spend_one()
        else:
            self.budget.take_one()
        try:
            account = accounts.account(self, request.outbound_proxy, request.credentials)
            call = SipCall(self, account, request.leg, pj.PJSUA_INVALID_ID)
            prm = pj.CallOpParam(True)
            if request.from_uri:
                prm.txOption.localUri = request.from_uri
            for header in request.headers:
                sip_header = pj.SipHeader()
                sip_header.hName = header.name
                sip_header.hValue = header.value
                prm.txOption.headers.append(sip_header)
            state = LegState(call, inbox, reservation, invite_sent=time.monotonic())
            self.legs[request.leg] = state
            call.makeCall(request.uri, prm)
        except pj.Error as exc:
            self.legs.pop(request.leg, None)
            self._give_back(reservation)
            error = pj_error(f"makeCall {request.uri}", exc)
            if isinstance(error, NoFreeLeg):
                self._hold_a_slot_pjsua_still_uses()
            raise error from None
        except BaseException:
            self.legs.pop(request.leg, None)
            self._give_back(reservation)
            raise
        state.sip_call_id = str(call.getInfo().callIdString)
        inbox.put(LegDialing(request.leg, utc_now(), state.sip_call_id))

    def _hold_a_slot_pjsua_still_uses(self) -> None:
        """pjsua is full while our budget was not: a hung-up call still waits for its peer."""
        try:
            self.budget.take_one()
        except NoFreeLeg:
            return
        log.warning(
            "pjsua has no free call slot: holding one leg for %.0f s", _TOO_MANY_HOLD_SECONDS
        )
        self.lingering.append((time.monotonic() + _TOO_MANY_HOLD_SECONDS, None))

    def _give_back(self, reservation: LegReservation | None) -> None:
        if reservation is not None:
            reservation.return_one()
        else:
            self.budget.give_back()

    def hangup(self, leg: LegId, status: int) -> None:
        state = self.leg(leg)
        state.hangup_requested = True
        prm = pj.CallOpParam()
        if state.incoming and state.answered_at is None and state.connecting_at is None:
            prm.statusCode = status
        try:
            state.call.hangup(prm)
        except pj.Error as exc:
            raise pj_error(f"hangup {leg}", exc) from None

    def answer(self, leg: LegId) -> None:
        state = self.leg(leg)
        prm = pj.CallOpParam()
        prm.statusCode = 200
        try:
            state.call.answer(prm)
        except pj.Error as exc:
            raise pj_error(f"answer {leg}", exc) from None

    def when_media(self, leg: LegId, action: Callable[[], None]) -> None:
        """Run ``action`` now if the leg has audio, else as soon as it does."""
        state = self.leg(leg)
        if state.media_up:
            action()
        else:
            state.on_media.append(action)

    def audio(self, leg: LegId) -> pj.AudioMedia:
        return self.leg(leg).call.getAudioMedia(-1)

    def release_lingering(self) -> None:
        if not self.lingering:
            return
        now = time.monotonic()
        due = [entry for entry in self.lingering if entry[0] <= now]
        self.lingering = [entry for entry in self.lingering if entry[0] > now]
        for _, reservation in due:
            self._give_back(reservation)

    def release_ended(self) -> None:
        """Drop ended calls here, outside their own callback, on the loop thread."""
        while self.ended:
            ended = self.ended.pop(0)
            state = self.legs.pop(ended.leg, None)
            if state is None:
                continue
            for tap in list(state.taps):
                media.untap(self, tap)
            for recording, rec in list(self.recordings.items()):
                if ended.leg in rec.legs and all(other not in self.legs for other in rec.legs):
                    self.recordings.pop(recording)
                    self.ended_recordings[recording] = rec.path
                    while len(self.ended_recordings) > _ENDED_RECORDINGS_KEPT:
                        self.ended_recordings.pop(next(iter(self.ended_recordings)))
            state.players.clear()
            state.on_media.clear()
            if state.holds_slot and state.linger_until > time.monotonic():
                self.lingering.append((state.linger_until, state.reservation))
            elif state.holds_slot:
                self._give_back(state.reservation)
            inbox = state.inbox
            del state  # the last reference to the Call: freed here, on the loop thread
            inbox.put(ended)
