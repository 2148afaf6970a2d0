"""`dialer softphone`: the interactive phone driven by keys and SIP events.

One loop on the main thread: SIP events from the UserAgent's incoming inbox, keys from the
keyboard thread, both fed to the pure phone (dialer.softphone.phone), its effects carried out
here. The endpoint runs in NOTIFY mode even with auto-answer, so a second call can still be
refused busy while one is up.
"""

from __future__ import annotations

import logging
import signal
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from types import FrameType

from dialer.softphone import phone
from dialer.softphone.desk import AgentDesk, DeskError
from dialer.softphone.terminal import Keyboard
from dialer.telephony.endpoint_config import (
    RTP_PORT_BLOCK,
    AudioDevice,
    EndpointConfig,
    IncomingCalls,
)
from dialer.telephony.errors import TelephonyError
from dialer.telephony.events import IncomingLeg, LegEnded, LegId, TelephonyEvent
from dialer.telephony.user_agent import Line, LineConfig, Registration, UserAgent

log = logging.getLogger(__name__)

Output = Callable[[str], None]


@dataclass(frozen=True)
class SoftphoneOptions:
    address: str = "127.0.0.1"
    port: int = 5062
    user: str = "agent"
    registration: Registration | None = None
    auto_answer: bool = False
    audio_device: AudioDevice = AudioDevice.NULL
    # Who may call the phone directly (the dialer's hosts; the registrar's with registration).
    allowed_sources: tuple[str, ...] = ("127.0.0.1",)
    # Record what the phone hears from each answered call into this directory.
    record_dir: Path | None = None
    rtp_port: int = 0
    log_level: int = 1

    def endpoint(self, incoming: IncomingCalls = IncomingCalls.NOTIFY) -> EndpointConfig:
        return EndpointConfig(
            sip_port=0,  # the endpoint's own port only wakes its loop; calls use the line's
            rtp_port=self.rtp_port,
            rtp_ports=RTP_PORT_BLOCK if self.rtp_port else 0,
            bound_address=self.address,
            user=self.user,
            user_agent="predictive-dialer-softphone",
            incoming=incoming,
            allowed_sources=self.allowed_sources,
            audio_device=self.audio_device,
            log_level=self.log_level,
        )

    def line(self) -> LineConfig:
        return LineConfig("phone", self.user, self.port, self.registration)


class Stopper:
    """SIGTERM and SIGINT end the loop (installed on the main thread only)."""

    def __init__(self) -> None:
        self.stop = threading.Event()

    def install(self) -> None:
        def stop(_signum: int, _frame: FrameType | None) -> None:
            self.stop.set()

        for signum in (signal.SIGTERM, signal.SIGINT):
            signal.signal(signum, stop)


def run_softphone(
    ua: UserAgent,
    options: SoftphoneOptions,
    keyboard: Keyboard,
    out: Output,
    stop: Stopper,
    desk: AgentDesk | None = None,
) -> Line:
    """Run the phone until 'q' or a signal; the caller shuts the endpoint down. With `desk`
    (the agent's API token), `*<slot>#` dials speed-dial entries."""
    line = ua.add_line(options.line())
    out(f"READY {line.uri}")
    out(phone.HELP)
    driver = _Driver(ua, options, out, desk)
    state = phone.PhoneState(auto_answer=options.auto_answer)
    with keyboard.reading():
        while not stop.stop.is_set():
            event = ua.incoming.get(timeout=0.05)
            if event is not None:
                state, effects = phone.on_event(state, event)
                driver.observe(event)
                if driver.carry_out(effects):
                    break
            for key in keyboard.pressed():
                state, effects = phone.on_key(state, key)
                if driver.carry_out(effects):
                    return line
    driver.carry_out(tuple(phone.Hangup(c.leg) for c in (state.call, state.held) if c))
    return line


class _Driver:
    def __init__(
        self, ua: UserAgent, options: SoftphoneOptions, out: Output, desk: AgentDesk | None
    ) -> None:
        self.ua = ua
        self.options = options
        self.out = out
        self.desk = desk
        self.recordings: dict[LegId, str] = {}
        self.attempts: dict[LegId, str] = {}

    def observe(self, event: TelephonyEvent) -> None:
        if isinstance(event, IncomingLeg):
            found = dict((name.lower(), value) for name, value in event.headers)
            self.attempts[event.leg] = found.get("x-dialer-attempt", "")
        elif isinstance(event, LegEnded):
            self._stop_recording(event.leg)
            self.attempts.pop(event.leg, None)

    def carry_out(self, effects: tuple[phone.Effect, ...]) -> bool:
        """Carry out the effects in order; True when the phone should quit."""
        for effect in effects:
            try:
                if self._one(effect):
                    return True
            except TelephonyError as failed:  # e.g. the call ended meanwhile
                self.out(f"failed: {failed}")
        return False

    def _one(self, effect: phone.Effect) -> bool:
        ua = self.ua
        match effect:
            case phone.Show(text):
                self.out(text)
            case phone.Answer(leg):
                ua.answer(leg)
                ua.use_sound_device(leg)
                self._record(leg)
            case phone.Hangup(leg, status):
                self._stop_recording(leg)
                ua.hangup(leg, status)
            case phone.Mute(leg, muted):
                ua.mute(leg, muted)
            case phone.Hold(leg, held):
                ua.hold(leg, held)
            case phone.Dtmf(leg, digits):
                ua.send_dtmf(leg, digits)
            case phone.SpeedDial(slot):
                self._speed_dial(slot)
            case phone.Quit():
                return True
        return False

    def _speed_dial(self, slot: int) -> None:
        if self.desk is None:
            self.out("speed dial needs the agent's API token (--token)")
            return
        try:
            placed = self.desk.speed_dial(slot)
        except DeskError as refused:  # the reason, e.g. "409 not dialed: ... do-not-call list"
            self.out(f"speed dial {slot} refused: {refused}")
            return
        entry = placed.get("entry") or {}
        self.out(f"speed dial {slot}: calling {entry.get('label')} {entry.get('number')}")

    def _record(self, leg: LegId) -> None:
        directory = self.options.record_dir
        if directory is None:
            return
        directory.mkdir(parents=True, exist_ok=True)
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S")
        attempt = self.attempts.get(leg) or "call"
        self.recordings[leg] = self.ua.record([leg], directory / f"{stamp}-{attempt}-{leg}.wav")

    def _stop_recording(self, leg: LegId) -> None:
        recording = self.recordings.pop(leg, None)
        if recording is not None:
            self.ua.stop_recording(recording)
