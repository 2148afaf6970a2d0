"""The pjsua2 implementation of :class:`~dialer.telephony.interface.Telephony`.

The only module that imports pjsua2, so the rules that abort a process when broken
(PJSUA2_NOTES.md) live here and nowhere else:

- One thread, the *SIP loop*, owns the Endpoint: it creates it (so, after any fork, in the
  process that uses it), runs ``libHandleEvents`` (``threadCnt = 0``: every SIP callback runs
  on it), executes the commands other threads submit, and destroys everything in order.
  Caller threads never call pjsua2, so they need no ``libRegisterThread``; the loop thread is
  registered by ``libCreate`` and pjsua's media threads are its own.
- Every live pjsua2 object (calls, players, recorders, frame ports, accounts) is referenced
  from one registry on the loop, with weak back-pointers only, and dropped on the loop, so the
  cyclic GC never destroys one on a foreign thread.
- Callbacks translate what happened into events and hand them to inboxes; they decide
  nothing, and they never let an exception escape into C++.
- Shutdown: hang up all, pump events, drop every object and ``gc.collect()``, shut down the
  accounts, ``libDestroy``; then the caller may ``os._exit``.
"""

from __future__ import annotations

import gc
import itertools
import logging
import os
import queue
import socket
import threading
import time
import weakref
from collections.abc import Callable, Sequence
from concurrent.futures import Future
from concurrent.futures import TimeoutError as FutureTimeout
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from functools import partial
from pathlib import Path
from typing import Any, TypeVar

import pjsua2 as pj

from dialer.telephony.capacity import LegBudget, LegReservation
from dialer.telephony.endpoint_config import AudioDevice, EndpointConfig, IncomingCalls
from dialer.telephony.errors import NoFreeLeg, TelephonyError, UnknownLeg
from dialer.telephony.events import (
    DtmfReceived,
    EndCause,
    IncomingLeg,
    IncomingRefused,
    LegAnswered,
    LegDialing,
    LegEnded,
    LegId,
    LegRinging,
    PlaybackFinished,
    RegistrationChanged,
    StopRequested,
)
from dialer.telephony.interface import FrameSink, Inbox, QueueInbox, Telephony
from dialer.telephony.requests import OriginateRequest
from dialer.telephony.sip_text import (
    is_permanent_status,
    parse_headers,
    request_uri_port,
    source_ip,
)
from dialer.telephony.trunk import DigestCredentials
from dialer.telephony.user_agent import Line, LineConfig, UserAgent

log = logging.getLogger(__name__)
pjlog = logging.getLogger("pjsua2")

T = TypeVar("T")

_G711 = ("PCMU/", "PCMA/")
_PJ_ETOOMANY = 70010
# libHandleEvents wait when idle. Submitted commands do not wait for it: they wake the loop
# with a CRLF keep-alive (RFC 5626) sent to our own SIP port, which pjsip silently drops.
_POLL_MS = 100
_WAKE_UP = b"\r\n\r\n"
_MEDIA_UP = {pj.PJSUA_CALL_MEDIA_ACTIVE, pj.PJSUA_CALL_MEDIA_REMOTE_HOLD}
_AccountKey = tuple[str | None, DigestCredentials | None]
# pjsip's INVITE transaction gives up 64 x T1 = 32 s after sending. A call hung up before any
# response (not even 100) is reported DISCONNECTED at once, but its CANCEL must wait for a
# response, so pjsua's call slot stays busy until that timer: measured, PJ_ETOOMANY otherwise.
_INVITE_TIMEOUT_SECONDS = 32.0 + 1.0
# After our BYE or CANCEL the slot is also busy until the peer answers it (milliseconds on a
# healthy network); a peer that never answers holds it up to 32 s, which we cannot observe:
# pjsua2 reports nothing after DISCONNECTED. A short grace covers the healthy case, and a
# PJ_ETOOMANY anyway makes the budget hold one slot for a while (the pjsua truth wins).
_HANGUP_GRACE_SECONDS = 0.25
_TOO_MANY_HOLD_SECONDS = 5.0
_ENDED_RECORDINGS_KEPT = 64


def _now() -> datetime:
    return datetime.now(UTC)


def _pj_error(action: str, exc: pj.Error) -> TelephonyError:
    """pj.Error prints as an empty string: its details are in info()/status/reason."""
    status = int(exc.status)
    message = f"{action}: {exc.info()} (status {status}, {exc.reason})"
    if status == _PJ_ETOOMANY:
        return NoFreeLeg(message)
    return TelephonyError(message, permanent=is_permanent_status(status), status=status)


# -- pjsua2 subclasses: thin, weakly linked to the loop, exceptions stopped at the edge ------


class _LogWriter(pj.LogWriter):  # type: ignore[misc]
    def write(self, entry: Any) -> None:
        level = entry.level
        py_level = (
            logging.ERROR
            if level <= 1
            else logging.WARNING
            if level == 2
            else (logging.INFO if level == 3 else logging.DEBUG)
        )
        pjlog.log(py_level, "%s", entry.msg.rstrip())


class _Call(pj.Call):  # type: ignore[misc]
    def __init__(self, loop: _SipLoop, account: pj.Account, leg: LegId, call_id: int) -> None:
        super().__init__(account, call_id)
        self._loop = weakref.ref(loop)
        self.leg = leg

    def onCallState(self, prm: Any) -> None:
        self._deliver("call state", lambda loop: loop.on_call_state(self, prm))

    def onCallMediaState(self, prm: Any) -> None:
        self._deliver("media state", lambda loop: loop.on_media_state(self))

    def onDtmfDigit(self, prm: Any) -> None:
        self._deliver("dtmf", lambda loop: loop.on_dtmf(self, str(prm.digit)))

    def _deliver(self, what: str, handler: Callable[[_SipLoop], None]) -> None:
        loop = self._loop()
        if loop is None:
            return
        try:
            handler(loop)
        except Exception:  # a callback edge: an escaping exception would abort in C++
            log.exception("leg %s: %s callback failed", self.leg, what)


class _Account(pj.Account):  # type: ignore[misc]
    def __init__(self, loop: _SipLoop, line: str = "") -> None:
        super().__init__()
        self._loop = weakref.ref(loop)
        self.line = line

    def onRegState(self, prm: Any) -> None:
        loop = self._loop()
        if loop is None:
            return
        try:
            loop.on_reg_state(self, prm)
        except Exception:  # a callback edge
            log.exception("line %s: registration handler failed", self.line)

    def onIncomingCall(self, prm: Any) -> None:
        loop = self._loop()
        if loop is None:
            return
        try:
            loop.on_incoming_call(self, prm)
        except Exception:  # a callback edge
            log.exception("incoming call %s: handler failed", prm.callId)


class _Player(pj.AudioMediaPlayer):  # type: ignore[misc]
    """onEof2 runs on the media clock thread: only enqueue (the inbox is thread-safe)."""

    def __init__(self, leg: LegId, playback: str, inbox: Inbox) -> None:
        super().__init__()
        self.leg = leg
        self.playback = playback
        self.inbox: Inbox | None = inbox

    def onEof2(self) -> None:
        inbox, self.inbox = self.inbox, None  # report once; the file does not loop
        if inbox is not None:
            inbox.put(PlaybackFinished(self.leg, _now(), self.playback))


class _FramePort(pj.AudioMediaPort):  # type: ignore[misc]
    """A reusable tap: copies frames on the clock thread, nothing else (the GIL is precious).

    Ports are pooled and never freed before shutdown, because the conference bridge may still
    call a port that is being removed.
    """

    def __init__(self) -> None:
        super().__init__()
        self.sink: FrameSink | None = None

    def onFrameReceived(self, frame: Any) -> None:
        sink = self.sink
        if sink is None or frame.type != pj.PJMEDIA_FRAME_TYPE_AUDIO:
            return
        try:
            sink.offer(bytes(frame.buf))
        except Exception:  # the audio clock thread must never see an exception
            log.exception("frame tap failed")


# -- the loop -----------------------------------------------------------------------------


@dataclass
class _Leg:
    call: _Call
    inbox: Inbox
    reservation: LegReservation | None
    incoming: bool = False
    holds_slot: bool = True
    invite_sent: float = 0.0  # time.monotonic() of makeCall
    linger_until: float = 0.0  # the pjsua slot stays busy until then (see _INVITE_TIMEOUT)
    sip_call_id: str = ""
    connecting_at: datetime | None = None
    answered_at: datetime | None = None
    hangup_requested: bool = False
    media_up: bool = False
    # A phone's call: wired to the sound device (again after every media change), mic muted?
    sound: bool = False
    muted: bool = False
    provisional_seen: set[int] = field(default_factory=set)
    on_media: list[Callable[[], None]] = field(default_factory=list)
    players: dict[str, _Player] = field(default_factory=dict)
    taps: set[str] = field(default_factory=set)


@dataclass
class _Recording:
    recorder: pj.AudioMediaRecorder
    legs: tuple[LegId, ...]
    path: Path


class _SipLoop:
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
        self.log_writer: _LogWriter | None = None
        self.accounts: dict[_AccountKey, _Account] = {}
        self.lines: dict[str, tuple[_Account, Line]] = {}
        self.legs: dict[LegId, _Leg] = {}
        self.recordings: dict[str, _Recording] = {}
        # Recordings dropped because all their legs ended: their paths, until stop_recording
        # asks (then it waits for the WAV header). Bounded: a caller may never ask.
        self.ended_recordings: dict[str, Path] = {}
        self.port_pool: list[_FramePort] = []
        self.taps: dict[str, tuple[LegId, _FramePort]] = {}
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
        self.log_writer = _LogWriter()
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
        self.account(None, None).setDefault()
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
            log.error("pjsua2 shutdown: %s", _pj_error("libDestroy", exc))
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

    # -- accounts ---------------------------------------------------------------------------
    def account(self, proxy: str | None, credentials: DigestCredentials | None) -> _Account:
        key = (proxy, credentials)
        if key in self.accounts:
            return self.accounts[key]
        cfg = self.config
        acc_cfg = pj.AccountConfig()
        acc_cfg.idUri = f"sip:{cfg.user}@{cfg.advertised_address}:{self.sip_port}"
        acc_cfg.regConfig.registrarUri = ""
        if proxy:
            acc_cfg.sipConfig.proxies.append(proxy)
        if credentials is not None:
            acc_cfg.sipConfig.authCreds.append(
                pj.AuthCredInfo(
                    "digest", credentials.realm, credentials.username, 0, credentials.password
                )
            )
        self._media_config(acc_cfg)
        account = _Account(self)
        account.create(acc_cfg)
        self.accounts[key] = account
        return account

    def _media_config(self, acc_cfg: pj.AccountConfig) -> None:
        cfg = self.config
        media = acc_cfg.mediaConfig
        media.lockCodecEnabled = False  # else pjsua re-INVITEs agents that offer many codecs
        media.transportConfig.port = cfg.rtp_port
        media.transportConfig.portRange = cfg.rtp_port_range if cfg.rtp_port else 0
        media.transportConfig.boundAddress = cfg.bound_address
        media.transportConfig.publicAddress = cfg.public_address

    def add_line(self, line: LineConfig) -> Line:
        """A UDP transport of its own and an account bound to it (registering if asked)."""
        if line.name in self.lines:
            raise TelephonyError(f"line {line.name} exists", permanent=True)
        assert self.ep is not None
        cfg = self.config
        transport = pj.TransportConfig()
        transport.port = line.sip_port
        transport.boundAddress = cfg.bound_address
        transport.publicAddress = cfg.public_address
        try:
            transport_id = self.ep.transportCreate(pj.PJSIP_TRANSPORT_UDP, transport)
        except pj.Error as exc:
            raise _pj_error(f"listen on port {line.sip_port}", exc) from None
        port = int(self.ep.transportGetInfo(transport_id).localName.rpartition(":")[2])
        up = Line(line.name, line.user, cfg.advertised_address, port)
        acc_cfg = pj.AccountConfig()
        acc_cfg.sipConfig.transportId = transport_id
        registration = line.registration
        if registration is None:
            acc_cfg.idUri = up.uri
            acc_cfg.regConfig.registrarUri = ""
        else:
            acc_cfg.idUri = registration.address_of_record
            acc_cfg.regConfig.registrarUri = registration.registrar
            acc_cfg.regConfig.timeoutSec = registration.expires_s
            acc_cfg.sipConfig.authCreds.append(
                pj.AuthCredInfo(
                    "digest", registration.realm, registration.user, 0, registration.password
                )
            )
        self._media_config(acc_cfg)
        account = _Account(self, line.name)
        try:
            account.create(acc_cfg)
        except pj.Error as exc:
            raise _pj_error(f"line {line.name}", exc) from None
        self.lines[line.name] = (account, up)
        return up

    def line_for(self, account: _Account, whole_message: str) -> str:
        """pjsua picks an account by the request URI's user; a line is also known by the port
        the caller dialled (a user part that matches no line still reaches that line)."""
        if account.line:
            return account.line
        port = request_uri_port(whole_message)
        for name, (_, line) in self.lines.items():
            if line.sip_port == port:
                return name
        return ""

    # -- legs -------------------------------------------------------------------------------
    def leg(self, leg: LegId) -> _Leg:
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
            account = self.account(request.outbound_proxy, request.credentials)
            call = _Call(self, account, request.leg, pj.PJSUA_INVALID_ID)
            prm = pj.CallOpParam(True)
            if request.from_uri:
                prm.txOption.localUri = request.from_uri
            for header in request.headers:
                sip_header = pj.SipHeader()
                sip_header.hName = header.name
                sip_header.hValue = header.value
                prm.txOption.headers.append(sip_header)
            state = _Leg(call, inbox, reservation, invite_sent=time.monotonic())
            self.legs[request.leg] = state
            call.makeCall(request.uri, prm)
        except pj.Error as exc:
            self.legs.pop(request.leg, None)
            self._give_back(reservation)
            error = _pj_error(f"makeCall {request.uri}", exc)
            if isinstance(error, NoFreeLeg):
                self._hold_a_slot_pjsua_still_uses()
            raise error from None
        except BaseException:
            self.legs.pop(request.leg, None)
            self._give_back(reservation)
            raise
        state.sip_call_id = str(call.getInfo().callIdString)
        inbox.put(LegDialing(request.leg, _now(), state.sip_call_id))

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
            raise _pj_error(f"hangup {leg}", exc) from None

    def answer(self, leg: LegId) -> None:
        state = self.leg(leg)
        prm = pj.CallOpParam()
        prm.statusCode = 200
        try:
            state.call.answer(prm)
        except pj.Error as exc:
            raise _pj_error(f"answer {leg}", exc) from None

    def when_media(self, leg: LegId, action: Callable[[], None]) -> None:
        """Run ``action`` now if the leg has audio, else as soon as it does."""
        state = self.leg(leg)
        if state.media_up:
            action()
        else:
            state.on_media.append(action)

    def audio(self, leg: LegId) -> pj.AudioMedia:
        return self.leg(leg).call.getAudioMedia(-1)

    def bridge(self, a: LegId, b: LegId, connect: bool) -> None:
        for leg in (a, b):
            self.leg(leg)  # raises UnknownLeg

        def wire() -> None:
            if a not in self.legs or b not in self.legs:
                return
            if not (self.legs[a].media_up and self.legs[b].media_up):
                return
            first, second = self.audio(a), self.audio(b)
            if connect:
                first.startTransmit(second)
                second.startTransmit(first)
            else:
                first.stopTransmit(second)
                second.stopTransmit(first)

        if connect:
            self.when_media(a, wire)
            self.when_media(b, wire)
        else:
            wire()

    def play(self, leg: LegId, wav: Path, *, loop: bool = False) -> str:
        state = self.leg(leg)
        playback = f"play-{next(self.ids)}"
        player = _Player(leg, playback, state.inbox)
        try:
            player.createPlayer(str(wav), 0 if loop else pj.PJMEDIA_FILE_NO_LOOP)
        except pj.Error as exc:
            raise _pj_error(f"play {wav}", exc) from None
        state.players[playback] = player
        self.when_media(leg, lambda: player.startTransmit(self.audio(leg)))
        return playback

    def stop_playback(self, playback: str) -> None:
        for state in self.legs.values():
            player = state.players.pop(playback, None)
            if player is not None:
                player.inbox = None
                return

    def record(self, legs: Sequence[LegId], wav: Path) -> str:
        for leg in legs:
            self.leg(leg)
        recorder = pj.AudioMediaRecorder()
        try:
            recorder.createRecorder(str(wav))
        except pj.Error as exc:
            raise _pj_error(f"record {wav}", exc) from None
        recording = f"rec-{next(self.ids)}"
        self.recordings[recording] = _Recording(recorder, tuple(legs), wav)
        for leg in legs:
            self.when_media(leg, partial(self._transmit_to, leg, recorder))
        return recording

    def record_also(self, recording: str, leg: LegId) -> None:
        self.leg(leg)
        entry = self.recordings.get(recording)
        if entry is None:
            raise TelephonyError(f"no recording {recording} under way", permanent=True)
        entry.legs = (*entry.legs, leg)  # stop_recording disconnects it with the others
        self.when_media(leg, partial(self._transmit_to, leg, entry.recorder))

    def _transmit_to(self, leg: LegId, sink: pj.AudioMedia) -> None:
        self.audio(leg).startTransmit(sink)

    def stop_recording(self, recording: str) -> Path | None:
        entry = self.recordings.pop(recording, None)
        if entry is None:
            return self.ended_recordings.pop(recording, None)
        for leg in entry.legs:
            state = self.legs.get(leg)
            if state is not None and state.media_up:
                try:
                    self.audio(leg).stopTransmit(entry.recorder)
                except pj.Error as exc:
                    log.info("stop recording %s: %s", recording, _pj_error("stopTransmit", exc))
        return entry.path

    def transmit(self, source: LegId, to: LegId, on: bool) -> None:
        """One direction only (mute, a supervisor's paths). Starting waits for both legs'
        media (a supervisor's phone still ringing); stopping needs it now."""
        states = [self.leg(leg) for leg in (source, to)]
        if on and not all(state.media_up for state in states):

            def start() -> None:
                live = source in self.legs and to in self.legs
                if live and self.legs[source].media_up and self.legs[to].media_up:
                    self.audio(source).startTransmit(self.audio(to))

            self.when_media(source, start)
            self.when_media(to, start)
            return
        for leg, state in zip((source, to), states, strict=True):
            if not state.media_up:
                raise TelephonyError(f"leg {leg} has no audio yet", permanent=False)
        if on:
            self.audio(source).startTransmit(self.audio(to))
        else:
            self.audio(source).stopTransmit(self.audio(to))

    def tap(self, leg: LegId, sink: FrameSink) -> str:
        self.leg(leg)
        port = self.port_pool.pop() if self.port_pool else self._new_port()
        port.sink = sink
        tap = f"tap-{next(self.ids)}"
        self.taps[tap] = (leg, port)
        self.legs[leg].taps.add(tap)
        self.when_media(leg, lambda: self.audio(leg).startTransmit(port))
        return tap

    def _new_port(self) -> _FramePort:
        fmt = pj.MediaFormatAudio()
        fmt.init(pj.PJMEDIA_FORMAT_L16, 8000, 1, 20000, 16)
        port = _FramePort()
        port.createPort(f"tap{next(self.ids)}", fmt)
        return port

    def untap(self, tap: str) -> None:
        entry = self.taps.pop(tap, None)
        if entry is None:
            return
        leg, port = entry
        port.sink = None
        state = self.legs.get(leg)
        if state is not None:
            state.taps.discard(tap)
            if state.media_up:
                try:
                    self.audio(leg).stopTransmit(port)
                except pj.Error as exc:
                    log.info("untap %s: %s", tap, _pj_error("stopTransmit", exc))
        self.port_pool.append(port)

    def send_dtmf(self, leg: LegId, digits: str) -> None:
        """RFC 2833 telephone events when the peer offered them, else SIP INFO (pjsua's
        dialDtmf refuses a peer without telephone-event in its SDP)."""
        call = self.leg(leg).call
        try:
            call.dialDtmf(digits)
            return
        except pj.Error as exc:
            log.info("leg %s: no RFC 2833 (%s), DTMF by SIP INFO", leg, _pj_error("dtmf", exc))
        prm = pj.CallSendDtmfParam()
        prm.method = pj.PJSUA_DTMF_METHOD_SIP_INFO
        prm.digits = digits
        try:
            call.sendDtmf(prm)
        except pj.Error as exc:
            raise _pj_error(f"dtmf {leg}", exc) from None

    # -- a phone's call: the sound device, mute, hold ----------------------------------------
    def use_sound_device(self, leg: LegId) -> None:
        state = self.leg(leg)
        state.sound = True
        if state.media_up:
            self._wire_sound(state)

    def mute(self, leg: LegId, muted: bool) -> None:
        state = self.leg(leg)
        state.muted = muted
        if state.sound and state.media_up:
            self._wire_sound(state)

    def _wire_sound(self, state: _Leg) -> None:
        """Speaker always, microphone unless muted. Done again after every media change: a
        re-INVITE (hold, codec change) may give the call a new conference slot."""
        assert self.ep is not None
        devices = self.ep.audDevManager()
        call_audio = state.call.getAudioMedia(-1)
        call_audio.startTransmit(devices.getPlaybackDevMedia())
        microphone = devices.getCaptureDevMedia()
        if state.muted:
            microphone.stopTransmit(call_audio)
        else:
            microphone.startTransmit(call_audio)

    def hold(self, leg: LegId, held: bool) -> None:
        state = self.leg(leg)
        prm = pj.CallOpParam(True)
        try:
            if held:
                state.call.setHold(prm)
            else:
                prm.opt.flag = pj.PJSUA_CALL_UNHOLD
                state.call.reinvite(prm)
        except pj.Error as exc:
            raise _pj_error(f"{'hold' if held else 'unhold'} {leg}", exc) from None

    # -- callbacks (on this thread, inside libHandleEvents) ----------------------------------
    def on_call_state(self, call: _Call, prm: Any) -> None:
        state = self.legs.get(call.leg)
        if state is None:
            return
        info = call.getInfo()
        now = _now()
        status = int(info.lastStatusCode)
        if info.state == pj.PJSIP_INV_STATE_EARLY and not state.incoming:
            if status not in state.provisional_seen:
                state.provisional_seen.add(status)
                state.inbox.put(LegRinging(call.leg, now, status, early_media=False))
        elif info.state == pj.PJSIP_INV_STATE_CONNECTING:
            state.connecting_at = now
        elif info.state == pj.PJSIP_INV_STATE_CONFIRMED:
            state.answered_at = state.connecting_at or now
            state.inbox.put(LegAnswered(call.leg, state.answered_at))
        elif info.state == pj.PJSIP_INV_STATE_DISCONNECTED:
            cause = self._end_cause(state, prm.e, status)
            if cause is EndCause.LOCAL_HANGUP:
                silent = not state.incoming and not self._got_response(state, prm.e)
                # Hung up before any response: pjsua reports the end now, but the INVITE
                # transaction (and pjsua's call slot) lives on until it times out.
                state.linger_until = (
                    state.invite_sent + _INVITE_TIMEOUT_SECONDS
                    if silent
                    else time.monotonic() + _HANGUP_GRACE_SECONDS
                )
            self.ended.append(
                LegEnded(
                    call.leg,
                    now,
                    status,
                    str(info.lastReason),
                    cause,
                    str(info.callIdString) or state.sip_call_id,
                    state.answered_at,
                )
            )

    @staticmethod
    def _got_response(state: _Leg, event: Any) -> bool:
        """Did our INVITE get any response? A 100 Trying alone is not reported to us (pjsua2
        calls onCallTsxState for INVITE only on sending), so such a call counts as silent and
        its slot is held a little too long, never too short."""
        if state.provisional_seen or state.connecting_at is not None:
            return True
        return bool(
            event.type == pj.PJSIP_EVENT_TSX_STATE
            and event.body.tsxState.type == pj.PJSIP_EVENT_RX_MSG
        )

    @staticmethod
    def _end_cause(state: _Leg, event: Any, status: int) -> EndCause:
        # A timer or transport failure first (pjsip's own 408/503 are not the carrier's).
        kind = event.type
        if kind == pj.PJSIP_EVENT_TSX_STATE:
            kind = event.body.tsxState.type
        if kind == pj.PJSIP_EVENT_TIMER:
            return EndCause.TIMEOUT
        if kind == pj.PJSIP_EVENT_TRANSPORT_ERROR:
            return EndCause.TRANSPORT_ERROR
        if state.hangup_requested:
            return EndCause.LOCAL_HANGUP
        if state.answered_at is not None:
            return EndCause.REMOTE_HANGUP
        return EndCause.REMOTE_REJECTED if status >= 300 else EndCause.REMOTE_HANGUP

    def on_media_state(self, call: _Call) -> None:
        state = self.legs.get(call.leg)
        if state is None:
            return
        info = call.getInfo()
        up = any(m.type == pj.PJMEDIA_TYPE_AUDIO and m.status in _MEDIA_UP for m in info.media)
        if up and state.sound:
            try:
                self._wire_sound(state)
            except pj.Error as exc:
                log.warning("leg %s: sound device: %s", call.leg, _pj_error("wire", exc))
        if not up or state.media_up:
            state.media_up = up
            return
        state.media_up = True
        if info.state == pj.PJSIP_INV_STATE_EARLY and not state.incoming:
            status = int(info.lastStatusCode)
            state.inbox.put(LegRinging(call.leg, _now(), status, early_media=True))
        pending, state.on_media = state.on_media, []
        for action in pending:
            try:
                action()
            except pj.Error as exc:
                log.warning("leg %s: media action failed: %s", call.leg, _pj_error("media", exc))

    def on_dtmf(self, call: _Call, digit: str) -> None:
        state = self.legs.get(call.leg)
        if state is not None:
            state.inbox.put(DtmfReceived(call.leg, _now(), digit))

    def on_incoming_call(self, account: _Account, prm: Any) -> None:
        leg = LegId(f"in-{next(self.ids)}")
        call = _Call(self, account, leg, prm.callId)
        src = source_ip(str(prm.rdata.srcAddress))
        policy = self.config.incoming
        allowed = policy is not IncomingCalls.REJECT and src in self.config.allowed_sources
        reply = pj.CallOpParam()
        holds_slot = True
        try:
            self.budget.take_one()
        except NoFreeLeg:
            holds_slot = False
        # Kept as a leg even when refused: the Call must live until pjsua reports its end.
        state = _Leg(call, self.incoming_inbox, None, incoming=True, holds_slot=holds_slot)
        state.sip_call_id = str(call.getInfo().callIdString)
        self.legs[leg] = state
        if not holds_slot:
            state.hangup_requested = True
            reply.statusCode = 486
            call.hangup(reply)
            if allowed:
                info = call.getInfo()
                self.incoming_inbox.put(
                    IncomingRefused(
                        _now(),
                        str(info.remoteUri),
                        str(info.localUri),
                        parse_headers(str(prm.rdata.wholeMsg)),
                        486,
                    )
                )
            return
        if not allowed:
            log.warning("refused an INVITE from %s (incoming policy %s)", src, policy)
            state.hangup_requested = True
            reply.statusCode = 403
            call.hangup(reply)
            return
        whole = str(prm.rdata.wholeMsg)
        info = call.getInfo()
        self.incoming_inbox.put(
            IncomingLeg(
                leg,
                _now(),
                str(info.remoteUri),
                str(info.localUri),
                parse_headers(whole),
                self.line_for(account, whole),
            )
        )
        reply.statusCode = 200 if policy is IncomingCalls.AUTO_ANSWER else 180
        call.answer(reply)

    def on_reg_state(self, account: _Account, prm: Any) -> None:
        status = int(prm.code)
        registered = 200 <= status < 300 and int(prm.expiration) > 0
        self.incoming_inbox.put(
            RegistrationChanged(account.line, _now(), registered, status, str(prm.reason))
        )

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
                self.untap(tap)
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


def _wait_for_wav_header(path: Path, timeout: float = 1.0) -> None:
    """The recorder is freed asynchronously by the conference clock (a frame or two later);
    its WAV sizes are written then. Wait for them so callers can read the file at once."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with path.open("rb") as wav:
                riff_size = wav.read(8)[4:8]
        except OSError:
            return
        if len(riff_size) == 4 and riff_size != b"\0\0\0\0":
            return
        time.sleep(0.01)
    log.warning("recording %s: WAV header not completed within %.1f s", path, timeout)


class Pjsua2Telephony:
    """pjsua2 behind the telephony port; one per process, safe to use from many threads.

    ``start`` must run in the process that will use it (after any fork: Celery's
    ``worker_init`` for a threads pool). ``shutdown`` is the clean end; ``exit_process``
    then ends the process with ``os._exit`` so no interpreter teardown touches pjsua2.
    """

    def __init__(self, loop: _SipLoop, budget: LegBudget, incoming: QueueInbox) -> None:
        self._loop = loop
        self._budget = budget
        self._incoming = incoming
        self._inboxes: weakref.WeakSet[Any] = weakref.WeakSet()
        self._inboxes_lock = threading.Lock()

    @classmethod
    def start(cls, config: EndpointConfig) -> Pjsua2Telephony:
        budget = LegBudget(config.max_legs)
        incoming = QueueInbox()
        loop = _SipLoop(config, budget, incoming)
        loop.thread.start()
        loop.ready.wait()
        if loop.startup_error is not None:
            error = loop.startup_error
            if isinstance(error, pj.Error):
                raise _pj_error("start the SIP endpoint", error) from None
            raise TelephonyError(f"start the SIP endpoint: {error}", permanent=True) from error
        return cls(loop, budget, incoming)

    @property
    def sip_port(self) -> int:
        return self._loop.sip_port

    @property
    def config(self) -> EndpointConfig:
        return self._loop.config

    @property
    def incoming(self) -> QueueInbox:
        """IncomingLeg events and the events of incoming legs (softphone mode)."""
        return self._incoming

    def shutdown(self, *, exit_process: bool = False, exit_code: int = 0) -> None:
        """Hang up everything, destroy the endpoint in order, optionally ``os._exit``."""
        loop = self._loop
        loop.stopping.set()
        loop.wake()
        if threading.current_thread() is not loop.thread:
            loop.thread.join(timeout=loop.config.shutdown_grace + 10)
        if exit_process:
            logging.shutdown()
            os._exit(exit_code)

    # -- Telephony --------------------------------------------------------------------------
    def open_inbox(self) -> QueueInbox:
        inbox = QueueInbox()
        with self._inboxes_lock:
            self._inboxes.add(inbox)
        return inbox

    def close_inbox(self, inbox: Inbox) -> None:
        with self._inboxes_lock:
            self._inboxes.discard(inbox)

    def free_legs(self) -> int:
        return self._budget.free()

    def reserve(self, legs: int) -> LegReservation | None:
        return self._budget.reserve(legs)

    def originate(
        self, request: OriginateRequest, inbox: Inbox, reservation: LegReservation | None = None
    ) -> None:
        self._loop.submit(lambda: self._loop.originate(request, inbox, reservation))

    def hangup(self, leg: LegId, status: int = 603) -> None:
        self._loop.submit(lambda: self._loop.hangup(leg, status))

    def answer(self, leg: LegId) -> None:
        self._loop.submit(lambda: self._loop.answer(leg))

    def bridge(self, a: LegId, b: LegId) -> None:
        self._loop.submit(lambda: self._loop.bridge(a, b, connect=True))

    def unbridge(self, a: LegId, b: LegId) -> None:
        self._loop.submit(lambda: self._loop.bridge(a, b, connect=False))

    def play(self, leg: LegId, wav: Path) -> str:
        return self._loop.submit(lambda: self._loop.play(leg, wav))

    def stop_playback(self, playback: str) -> None:
        self._loop.submit(lambda: self._loop.stop_playback(playback))

    def transmit(self, source: LegId, to: LegId, on: bool) -> None:
        self._loop.submit(lambda: self._loop.transmit(source, to, on))

    def record(self, legs: Sequence[LegId], wav: Path) -> str:
        return self._loop.submit(lambda: self._loop.record(legs, wav))

    def record_also(self, recording: str, leg: LegId) -> None:
        self._loop.submit(lambda: self._loop.record_also(recording, leg))

    def stop_recording(self, recording: str) -> None:
        path = self._loop.submit(lambda: self._loop.stop_recording(recording))
        if path is not None:
            _wait_for_wav_header(path)

    def tap(self, leg: LegId, sink: FrameSink) -> str:
        return self._loop.submit(lambda: self._loop.tap(leg, sink))

    def untap(self, tap: str) -> None:
        self._loop.submit(lambda: self._loop.untap(tap))

    def send_dtmf(self, leg: LegId, digits: str) -> None:
        self._loop.submit(lambda: self._loop.send_dtmf(leg, digits))

    # -- UserAgent (softphone and robots) ----------------------------------------------------
    def add_line(self, config: LineConfig) -> Line:
        return self._loop.submit(lambda: self._loop.add_line(config))

    def use_sound_device(self, leg: LegId) -> None:
        self._loop.submit(lambda: self._loop.use_sound_device(leg))

    def mute(self, leg: LegId, muted: bool) -> None:
        self._loop.submit(lambda: self._loop.mute(leg, muted))

    def hold(self, leg: LegId, held: bool) -> None:
        self._loop.submit(lambda: self._loop.hold(leg, held))

    def play_looped(self, leg: LegId, wav: Path) -> str:
        return self._loop.submit(lambda: self._loop.play(leg, wav, loop=True))

    def request_stop(self, grace_seconds: float) -> None:
        now = _now()
        event = StopRequested(now, now + timedelta(seconds=grace_seconds))
        with self._inboxes_lock:
            inboxes = list(self._inboxes)
        for inbox in inboxes:
            inbox.put(event)

    def hangup_all(self) -> None:
        def everything() -> None:
            for state in self._loop.legs.values():
                state.hangup_requested = True
            assert self._loop.ep is not None
            self._loop.ep.hangupAllCalls()

        self._loop.submit(everything)

    def live_legs(self) -> int:
        return self._loop.submit(lambda: len(self._loop.legs))


def _implements_the_port(adapter: Pjsua2Telephony) -> Telephony:
    return adapter  # mypy proves the adapter has the whole Telephony interface


def _implements_a_phone(adapter: Pjsua2Telephony) -> UserAgent:
    return adapter  # and the whole UserAgent interface
