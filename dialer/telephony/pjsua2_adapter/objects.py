"""The pjsua2 objects the adapter owns, and the state it keeps per leg.

pjsua2 subclasses here are thin: callbacks that run on pjsua's own threads (a player's end, a
tap's frames) only copy and enqueue, and no exception ever escapes into C++.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pjsua2 as pj

from dialer.telephony.capacity import LegReservation
from dialer.telephony.errors import NoFreeLeg, TelephonyError
from dialer.telephony.events import LegId, PlaybackFinished
from dialer.telephony.interface import FrameSink, Inbox
from dialer.telephony.sip_text import is_permanent_status

if TYPE_CHECKING:
    from dialer.telephony.pjsua2_adapter.callbacks import SipCall

log = logging.getLogger("dialer.telephony.pjsua2_adapter")
pjlog = logging.getLogger("pjsua2")

_PJ_ETOOMANY = 70010


def utc_now() -> datetime:
    return datetime.now(UTC)


def pj_error(action: str, exc: pj.Error) -> TelephonyError:
    """pj.Error prints as an empty string: its details are in info()/status/reason."""
    status = int(exc.status)
    message = f"{action}: {exc.info()} (status {status}, {exc.reason})"
    if status == _PJ_ETOOMANY:
        return NoFreeLeg(message)
    return TelephonyError(message, permanent=is_permanent_status(status), status=status)


class LogWriter(pj.LogWriter):  # type: ignore[misc]
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


class Player(pj.AudioMediaPlayer):  # type: ignore[misc]
    """onEof2 runs on the media clock thread: only enqueue (the inbox is thread-safe)."""

    def __init__(self, leg: LegId, playback: str, inbox: Inbox) -> None:
        super().__init__()
        self.leg = leg
        self.playback = playback
        self.inbox: Inbox | None = inbox

    def onEof2(self) -> None:
        inbox, self.inbox = self.inbox, None  # report once; the file does not loop
        if inbox is not None:
            inbox.put(PlaybackFinished(self.leg, utc_now(), self.playback))


class FramePort(pj.AudioMediaPort):  # type: ignore[misc]
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


@dataclass
class LegState:
    call: SipCall
    inbox: Inbox
    reservation: LegReservation | None
    incoming: bool = False
    holds_slot: bool = True
    invite_sent: float = 0.0  # time.monotonic() of makeCall
    linger_until: float = (
        0.0  # the pjsua slot stays busy until then (see callbacks.INVITE_TIMEOUT_SECONDS)
    )
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
    players: dict[str, Player] = field(default_factory=dict)
    taps: set[str] = field(default_factory=set)


@dataclass
class Recording:
    recorder: pj.AudioMediaRecorder
    legs: tuple[LegId, ...]
    path: Path
