"""The telephony port: what call flows may ask of a SIP stack, and nothing more.

Every method may be called from any thread of the process. Events about a leg go to the
:class:`Inbox` given when it was originated (or the incoming-call inbox), so one blocking
attempt can wait on just its own legs.
"""

from __future__ import annotations

import queue
from collections.abc import Sequence
from pathlib import Path
from typing import Protocol

from dialer.telephony.capacity import LegReservation
from dialer.telephony.events import LegId, TelephonyEvent
from dialer.telephony.requests import OriginateRequest


class Inbox(Protocol):
    """Where one attempt receives the events of its legs."""

    def put(self, event: TelephonyEvent) -> None: ...

    def get(self, timeout: float) -> TelephonyEvent | None:
        """The next event, or None when ``timeout`` seconds pass without one."""
        ...


class QueueInbox:
    """A thread-safe inbox on a :class:`queue.Queue`, filled from the SIP thread."""

    def __init__(self) -> None:
        self._queue: queue.Queue[TelephonyEvent] = queue.Queue()

    def put(self, event: TelephonyEvent) -> None:
        self._queue.put(event)

    def get(self, timeout: float) -> TelephonyEvent | None:
        try:
            return self._queue.get(timeout=max(0.0, timeout))
        except queue.Empty:
            return None


class FrameSink(Protocol):
    """Receives copies of 20 ms frames of 16-bit 8 kHz mono audio, off the audio clock thread.

    ``offer`` must return at once (a full sink drops the frame); do the work elsewhere.
    """

    def offer(self, frame: bytes) -> None: ...


class Telephony(Protocol):
    def open_inbox(self) -> Inbox:
        """A new inbox; ``request_stop`` reaches every inbox that is still open."""
        ...

    def close_inbox(self, inbox: Inbox) -> None: ...

    def free_legs(self) -> int: ...

    def reserve(self, legs: int) -> LegReservation | None:
        """Hold ``legs`` slots for one attempt, or None when the process has too few free."""
        ...

    def originate(
        self,
        request: OriginateRequest,
        inbox: Inbox,
        reservation: LegReservation | None = None,
    ) -> None:
        """Send the INVITE; raises :class:`TelephonyError` when it cannot even be sent."""
        ...

    def hangup(self, leg: LegId, status: int = 603) -> None:
        """CANCEL before answer, BYE after; ``status`` is the rejection code of an incoming leg."""
        ...

    def answer(self, leg: LegId) -> None:
        """Answer an incoming leg with 200 OK."""
        ...

    def bridge(self, a: LegId, b: LegId) -> None:
        """Connect the audio of two legs in both directions (now, or as soon as both have media)."""
        ...

    def unbridge(self, a: LegId, b: LegId) -> None: ...

    def play(self, leg: LegId, wav: Path) -> str:
        """Play a WAV file once to ``leg``; PlaybackFinished with the returned id follows."""
        ...

    def play_looped(self, leg: LegId, wav: Path) -> str:
        """Play a WAV file to the leg over and over until stop_playback or the leg ends."""
        ...

    def stop_playback(self, playback: str) -> None: ...

    def transmit(self, source: LegId, to: LegId, on: bool) -> None:
        """One direction of a bridge: start or stop sending what ``source`` says to ``to``
        (mute is the agent's direction off; the other direction stays as it was). Starting
        waits for both legs' audio when one has none yet; stopping then fails (not permanent)."""
        ...

    def record(self, legs: Sequence[LegId], wav: Path) -> str:
        """Record what the legs send (mixed) into ``wav``; returns a recording id."""
        ...

    def record_also(self, recording: str, leg: LegId) -> None:
        """Add what ``leg`` sends to a recording under way (a party joining the call)."""
        ...

    def stop_recording(self, recording: str) -> None:
        """Stop and complete the WAV (also after its legs ended: the file is then complete)."""
        ...

    def tap(self, leg: LegId, sink: FrameSink) -> str:
        """Copy the audio the leg sends us into ``sink`` (e.g. answering-machine detection)."""
        ...

    def untap(self, tap: str) -> None: ...

    def send_dtmf(self, leg: LegId, digits: str) -> None:
        """Send DTMF digits (0-9, *, #, A-D) to the leg as RFC 2833 telephone events."""
        ...

    def request_stop(self, grace_seconds: float) -> None:
        """Tell every open inbox that the process is stopping (a StopRequested event)."""
        ...

    def hangup_all(self) -> None:
        """Hang up every live leg now (the last step of a graceful stop)."""
        ...
