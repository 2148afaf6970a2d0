"""Run AMD off the audio thread: taps enqueue raw frames, analysis threads classify them.

pjsua2 calls our frame callback on its one conference clock thread, with the GIL held; anything
slow there stalls the audio of every call in the process. So `AudioTap.push` only enqueues the
bytes it is given (the adapter has already copied them out of pjsua2's buffer), and a small pool of
analysis threads does the rest. Each call sticks to one analysis thread, so its frames are analysed
in order without locks; events go to the call's `on_event` callback, on that analysis thread (hand
them on to the call flow's queue: do not block there). No pjsua2 here: the adapter pushes bytes.
"""

from __future__ import annotations

import itertools
import logging
import queue
import threading
from collections.abc import Callable
from dataclasses import dataclass, field

from dialer.amd.audio import BYTES_PER_SAMPLE, FRAME_BYTES, MS_PER_SECOND, SAMPLE_RATE_HZ
from dialer.amd.session import AmdEvent, AmdSession
from dialer.amd.settings import AmdSettings, BeepSettings

log = logging.getLogger(__name__)

EventCallback = Callable[[str, AmdEvent], None]
_BYTES_PER_MS = SAMPLE_RATE_HZ * BYTES_PER_SAMPLE // MS_PER_SECOND


class AudioTap:
    """One call's way into the runner. `push` is safe to call from the audio thread."""

    def __init__(self, call_id: str, inbox: queue.SimpleQueue[_Message]) -> None:
        self.call_id = call_id
        self._inbox = inbox
        # Set by the analysis thread once the session has said all it will say; a bool write is
        # atomic, and a push that races it is simply dropped by the analysis thread.
        self.finished = False
        self.closed = False

    def push(self, pcm: bytes) -> None:
        """Hand over received audio (8 kHz 16-bit LE mono PCM, any length, in order)."""
        if not self.finished and not self.closed:
            self._inbox.put((self, pcm))

    def close(self) -> None:
        """The call is over (or AMD no longer matters): forget its state."""
        if not self.closed:
            self.closed = True
            self._inbox.put((self, None))


_Message = tuple[AudioTap, bytes | None] | None


@dataclass
class _Call:
    session: AmdSession
    on_event: EventCallback
    pending: bytearray = field(default_factory=bytearray)
    at_ms: int = 0


class AnalysisRunner:
    """A fixed pool of analysis threads shared by every call of the process."""

    def __init__(self, threads: int = 1, name: str = "amd") -> None:
        if threads < 1:
            raise ValueError("an analysis runner needs at least one thread")
        self._inboxes: list[queue.SimpleQueue[_Message]] = [
            queue.SimpleQueue() for _ in range(threads)
        ]
        self._calls: list[dict[AudioTap, _Call]] = [{} for _ in range(threads)]
        self._lock = threading.Lock()
        self._next = itertools.cycle(range(threads))
        self._threads = [
            threading.Thread(target=self._work, args=(index,), name=f"{name}-{index}", daemon=True)
            for index in range(threads)
        ]
        self._started = False

    def start(self) -> AnalysisRunner:
        with self._lock:
            if not self._started:
                for thread in self._threads:
                    thread.start()
                self._started = True
        return self

    def stop(self, timeout_s: float | None = None) -> None:
        """Let each thread finish what is queued, then end it."""
        for inbox in self._inboxes:
            inbox.put(None)
        for thread in self._threads:
            if thread.is_alive():
                thread.join(timeout_s)

    def __enter__(self) -> AnalysisRunner:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    def open(
        self,
        call_id: str,
        on_event: EventCallback,
        settings: AmdSettings,
        beep_settings: BeepSettings | None = None,
    ) -> AudioTap:
        """Start analysing a call at its answer; frames pushed to the tap are timed from then."""
        with self._lock:
            index = next(self._next)
        tap = AudioTap(call_id, self._inboxes[index])
        # Registered before the first push can be queued, and read only by that call's thread.
        self._calls[index][tap] = _Call(AmdSession(settings, beep_settings), on_event)
        return tap

    def _work(self, index: int) -> None:
        inbox, calls = self._inboxes[index], self._calls[index]
        while (message := inbox.get()) is not None:
            tap, pcm = message
            call = calls.get(tap)
            if call is None:
                continue
            if pcm is None:
                del calls[tap]
                continue
            try:
                self._analyse(tap, call, pcm)
            except Exception:  # a bad frame or callback must not end analysis for other calls
                log.exception(
                    "AMD analysis failed for call %s; treating it as finished", tap.call_id
                )
                tap.finished = True
            if tap.finished:
                del calls[tap]

    @staticmethod
    def _analyse(tap: AudioTap, call: _Call, pcm: bytes) -> None:
        call.pending += pcm
        usable = len(call.pending) - len(call.pending) % FRAME_BYTES
        for start in range(0, usable, FRAME_BYTES):
            frame = bytes(call.pending[start : start + FRAME_BYTES])
            events = call.session.feed(frame, call.at_ms)
            call.at_ms += FRAME_BYTES // _BYTES_PER_MS
            for event in events:
                call.on_event(tap.call_id, event)
            if call.session.finished:
                tap.finished = True
                return
        del call.pending[:usable]
