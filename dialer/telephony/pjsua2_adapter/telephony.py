"""``Pjsua2Telephony``: the telephony port and a phone's user agent over one SIP loop.

Safe to use from many threads: every call becomes a command the loop thread runs.
"""

from __future__ import annotations

import logging
import os
import threading
import time
import weakref
from collections.abc import Sequence
from datetime import timedelta
from pathlib import Path
from typing import Any

import pjsua2 as pj

from dialer.telephony.capacity import LegBudget, LegReservation
from dialer.telephony.endpoint_config import EndpointConfig
from dialer.telephony.errors import TelephonyError
from dialer.telephony.events import LegId, StopRequested
from dialer.telephony.interface import FrameSink, Inbox, QueueInbox, Telephony
from dialer.telephony.pjsua2_adapter import accounts, media
from dialer.telephony.pjsua2_adapter.loop import SipLoop
from dialer.telephony.pjsua2_adapter.objects import pj_error, utc_now
from dialer.telephony.requests import OriginateRequest
from dialer.telephony.user_agent import Line, LineConfig, UserAgent

log = logging.getLogger("dialer.telephony.pjsua2_adapter")


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

    def __init__(self, loop: SipLoop, budget: LegBudget, incoming: QueueInbox) -> None:
        self._loop = loop
        self._budget = budget
        self._incoming = incoming
        self._inboxes: weakref.WeakSet[Any] = weakref.WeakSet()
        self._inboxes_lock = threading.Lock()

    @classmethod
    def start(cls, config: EndpointConfig) -> Pjsua2Telephony:
        budget = LegBudget(config.max_legs)
        incoming = QueueInbox()
        loop = SipLoop(config, budget, incoming)
        loop.thread.start()
        loop.ready.wait()
        if loop.startup_error is not None:
            error = loop.startup_error
            if isinstance(error, pj.Error):
                raise pj_error("start the SIP endpoint", error) from None
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
        self._loop.submit(lambda: media.bridge(self._loop, a, b, connect=True))

    def unbridge(self, a: LegId, b: LegId) -> None:
        self._loop.submit(lambda: media.bridge(self._loop, a, b, connect=False))

    def play(self, leg: LegId, wav: Path) -> str:
        return self._loop.submit(lambda: media.play(self._loop, leg, wav))

    def stop_playback(self, playback: str) -> None:
        self._loop.submit(lambda: media.stop_playback(self._loop, playback))

    def transmit(self, source: LegId, to: LegId, on: bool) -> None:
        self._loop.submit(lambda: media.transmit(self._loop, source, to, on))

    def record(self, legs: Sequence[LegId], wav: Path) -> str:
        return self._loop.submit(lambda: media.record(self._loop, legs, wav))

    def record_also(self, recording: str, leg: LegId) -> None:
        self._loop.submit(lambda: media.record_also(self._loop, recording, leg))

    def stop_recording(self, recording: str) -> None:
        path = self._loop.submit(lambda: media.stop_recording(self._loop, recording))
        if path is not None:
            _wait_for_wav_header(path)

    def tap(self, leg: LegId, sink: FrameSink) -> str:
        return self._loop.submit(lambda: media.tap(self._loop, leg, sink))

    def untap(self, tap: str) -> None:
        self._loop.submit(lambda: media.untap(self._loop, tap))

    def send_dtmf(self, leg: LegId, digits: str) -> None:
        self._loop.submit(lambda: media.send_dtmf(self._loop, leg, digits))

    # -- UserAgent (softphone and robots) ----------------------------------------------------
    def add_line(self, config: LineConfig) -> Line:
        return self._loop.submit(lambda: accounts.add_line(self._loop, config))

    def use_sound_device(self, leg: LegId) -> None:
        self._loop.submit(lambda: media.use_sound_device(self._loop, leg))

    def mute(self, leg: LegId, muted: bool) -> None:
        self._loop.submit(lambda: media.mute(self._loop, leg, muted))

    def hold(self, leg: LegId, held: bool) -> None:
        self._loop.submit(lambda: media.hold(self._loop, leg, held))

    def play_looped(self, leg: LegId, wav: Path) -> str:
        return self._loop.submit(lambda: media.play(self._loop, leg, wav, looped=True))

    def request_stop(self, grace_seconds: float) -> None:
        now = utc_now()
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
