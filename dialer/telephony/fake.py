"""An in-process telephony for unit tests of call flow: scripted legs on a virtual clock.

No sockets, no threads. Time only moves when an inbox is asked to wait, and then it jumps to
the next scripted event, so a 15 s ring timeout costs nothing to test.
"""

from __future__ import annotations

import heapq
import itertools
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

from dialer.telephony.capacity import LegBudget, LegReservation
from dialer.telephony.errors import NoFreeLeg, TelephonyError, UnknownLeg
from dialer.telephony.events import (
    EndCause,
    LegAnswered,
    LegDialing,
    LegEnded,
    LegId,
    LegRinging,
    PlaybackFinished,
    StopRequested,
    TelephonyEvent,
)
from dialer.telephony.interface import FrameSink, Inbox, Telephony
from dialer.telephony.requests import OriginateRequest


@dataclass(frozen=True)
class Ring:
    after: float
    status: int = 180
    early_media: bool = False


@dataclass(frozen=True)
class Answer:
    after: float


@dataclass(frozen=True)
class Reject:
    after: float
    status: int
    reason: str = ""
    cause: EndCause = EndCause.REMOTE_REJECTED


@dataclass(frozen=True)
class RemoteHangup:
    after: float


@dataclass(frozen=True)
class FailToSend:
    """originate raises TelephonyError (NoFreeLeg when ``no_free_leg``)."""

    permanent: bool = False
    no_free_leg: bool = False


Step = Ring | Answer | Reject | RemoteHangup
Script = tuple[Step, ...] | FailToSend

NEVER_ANSWERS: Script = (Ring(0.5),)


class FakeClock:
    def __init__(self, start: datetime) -> None:
        self._now = start

    def now(self) -> datetime:
        return self._now

    def advance_to(self, at: datetime) -> None:
        self._now = max(self._now, at)


@dataclass
class _Leg:
    request: OriginateRequest
    inbox: Inbox
    reservation: LegReservation | None
    answered_at: datetime | None = None
    bridged_with: set[LegId] = field(default_factory=set)


class FakeInbox:
    def __init__(self, fake: FakeTelephony) -> None:
        self._fake = fake
        self._events: list[TelephonyEvent] = []

    def put(self, event: TelephonyEvent) -> None:
        self._events.append(event)

    def get(self, timeout: float) -> TelephonyEvent | None:
        deadline = self._fake.clock.now() + timedelta(seconds=max(0.0, timeout))
        while not self._events and self._fake.run_next_before(deadline):
            pass
        if self._events:
            return self._events.pop(0)
        self._fake.clock.advance_to(deadline)
        return None


class FakeTelephony:
    """Legs follow ``scripts[uri]``; unknown URIs never answer. Records what was asked of it."""

    def __init__(
        self,
        scripts: dict[str, Script] | None = None,
        *,
        start: datetime | None = None,
        playback_seconds: float = 5.0,
        max_legs: int = 4,
    ) -> None:
        self.clock = FakeClock(start or datetime(2025, 1, 6, 15, 0, tzinfo=UTC))
        self.scripts = dict(scripts or {})
        self.playback_seconds = playback_seconds
        self.budget = LegBudget(max_legs)
        self.originated: list[OriginateRequest] = []
        self.hangups: list[LegId] = []
        self.bridges: list[tuple[LegId, LegId]] = []
        self.playbacks: list[tuple[LegId, Path, datetime]] = []
        # Call features: what plays (playback id -> leg, file), one-way silences, DTMF, records.
        self.playing: dict[str, tuple[LegId, Path]] = {}
        self.silenced: set[tuple[LegId, LegId]] = set()
        self.dtmf_sent: list[tuple[LegId, str]] = []
        self.recordings: dict[str, tuple[tuple[LegId, ...], Path]] = {}
        self.stopped_recordings: list[str] = []
        self._legs: dict[LegId, _Leg] = {}
        self._inboxes: list[FakeInbox] = []
        self._seq = itertools.count()
        self._timers: list[tuple[datetime, int, LegId, TelephonyEvent]] = []

    # -- virtual time ------------------------------------------------------------------------
    def _schedule(self, at: datetime, leg: LegId, event: TelephonyEvent) -> None:
        heapq.heappush(self._timers, (at, next(self._seq), leg, event))

    def run_next_before(self, deadline: datetime) -> bool:
        """Deliver the next scheduled event if it is due by ``deadline``; False if none."""
        if not self._timers or self._timers[0][0] > deadline:
            return False
        at, _, leg, event = heapq.heappop(self._timers)
        self.clock.advance_to(at)
        state = self._legs.get(leg)
        if state is None:
            return True  # the leg ended first; the scripted event is void
        if isinstance(event, LegAnswered):
            state.answered_at = at
        if isinstance(event, LegEnded):
            self._end(leg, replace(event, answered_at=state.answered_at))
        else:
            state.inbox.put(event)
        return True

    def _end(self, leg: LegId, event: LegEnded) -> None:
        state = self._legs.pop(leg)
        self._timers = [t for t in self._timers if t[2] != leg]
        heapq.heapify(self._timers)
        if state.reservation is not None:
            state.reservation.return_one()
        else:
            self.budget.give_back()
        state.inbox.put(event)

    def _ended(self, leg: LegId, status: int, reason: str, cause: EndCause) -> LegEnded:
        answered_at = self._legs[leg].answered_at
        return LegEnded(leg, self.clock.now(), status, reason, cause, f"fake-{leg}", answered_at)

    # -- Telephony ---------------------------------------------------------------------------
    def open_inbox(self) -> FakeInbox:
        inbox = FakeInbox(self)
        self._inboxes.append(inbox)
        return inbox

    def close_inbox(self, inbox: Inbox) -> None:
        self._inboxes = [i for i in self._inboxes if i is not inbox]

    def free_legs(self) -> int:
        return self.budget.free()

    def reserve(self, legs: int) -> LegReservation | None:
        return self.budget.reserve(legs)

    def originate(
        self, request: OriginateRequest, inbox: Inbox, reservation: LegReservation | None = None
    ) -> None:
        script = self.scripts.get(request.uri, NEVER_ANSWERS)
        if isinstance(script, FailToSend) and script.no_free_leg:
            raise NoFreeLeg(f"fake: no slot for {request.uri}")
        if isinstance(script, FailToSend):
            raise TelephonyError(f"fake: cannot send to {request.uri}", permanent=script.permanent)
        if reservation is not None:
            reservation.spend_one()
        else:
            self.budget.take_one()
        self.originated.append(request)
        self._legs[request.leg] = _Leg(request, inbox, reservation)
        now = self.clock.now()
        inbox.put(LegDialing(request.leg, now, f"fake-{request.leg}"))
        at = now
        for step in script:
            at += timedelta(seconds=step.after)
            self._schedule(at, request.leg, self._scripted(request.leg, at, step))

    def _scripted(self, leg: LegId, at: datetime, step: Step) -> TelephonyEvent:
        match step:
            case Ring(_, status, early):
                return LegRinging(leg, at, status, early)
            case Answer():
                return LegAnswered(leg, at)
            case Reject(_, status, reason, cause):
                return LegEnded(leg, at, status, reason, cause, f"fake-{leg}", None)
            case RemoteHangup():
                return LegEnded(leg, at, 200, "BYE", EndCause.REMOTE_HANGUP, f"fake-{leg}", None)

    def hangup(self, leg: LegId, status: int = 603) -> None:
        if leg not in self._legs:
            raise UnknownLeg(leg)
        self.hangups.append(leg)
        answered = self._legs[leg].answered_at is not None
        code, reason = (200, "BYE") if answered else (487, "Request Terminated")
        self._end(leg, self._ended(leg, code, reason, EndCause.LOCAL_HANGUP))

    def answer(self, leg: LegId) -> None:
        if leg not in self._legs:
            raise UnknownLeg(leg)

    def bridge(self, a: LegId, b: LegId) -> None:
        for leg in (a, b):
            if leg not in self._legs:
                raise UnknownLeg(leg)
        self.bridges.append((a, b))

    def unbridge(self, a: LegId, b: LegId) -> None:
        self.bridges = [p for p in self.bridges if p != (a, b)]

    def is_bridged(self, a: LegId, b: LegId) -> bool:
        return (a, b) in self.bridges or (b, a) in self.bridges

    def transmit(self, source: LegId, to: LegId, on: bool) -> None:
        for leg in (source, to):
            if leg not in self._legs:
                raise UnknownLeg(leg)
        if on:
            self.silenced.discard((source, to))
        else:
            self.silenced.add((source, to))

    def play_looped(self, leg: LegId, wav: Path) -> str:
        if leg not in self._legs:
            raise UnknownLeg(leg)
        playback = f"loop-{next(self._seq)}"
        self.playing[playback] = (leg, wav)
        return playback

    def play(self, leg: LegId, wav: Path) -> str:
        if leg not in self._legs:
            raise UnknownLeg(leg)
        playback = f"play-{next(self._seq)}"
        now = self.clock.now()
        self.playbacks.append((leg, wav, now))
        done = now + timedelta(seconds=self.playback_seconds)
        self._schedule(done, leg, PlaybackFinished(leg, done, playback))
        return playback

    def stop_playback(self, playback: str) -> None:
        self.playing.pop(playback, None)
        self._timers = [
            t
            for t in self._timers
            if not (isinstance(t[3], PlaybackFinished) and t[3].playback == playback)
        ]
        heapq.heapify(self._timers)

    def record(self, legs: Sequence[LegId], wav: Path) -> str:
        for leg in legs:
            if leg not in self._legs:
                raise UnknownLeg(leg)
        recording = f"rec-{next(self._seq)}"
        self.recordings[recording] = (tuple(legs), wav)
        return recording

    def record_also(self, recording: str, leg: LegId) -> None:
        if leg not in self._legs:
            raise UnknownLeg(leg)
        legs, wav = self.recordings[recording]
        self.recordings[recording] = ((*legs, leg), wav)

    def stop_recording(self, recording: str) -> None:
        if recording in self.recordings:
            self.stopped_recordings.append(recording)

    def tap(self, leg: LegId, sink: FrameSink) -> str:
        return f"tap-{next(self._seq)}"

    def untap(self, tap: str) -> None:
        pass

    def send_dtmf(self, leg: LegId, digits: str) -> None:
        if leg not in self._legs:
            raise UnknownLeg(leg)
        self.dtmf_sent.append((leg, digits))

    def request_stop(self, grace_seconds: float) -> None:
        now = self.clock.now()
        for inbox in self._inboxes:
            inbox.put(StopRequested(now, now + timedelta(seconds=grace_seconds)))

    def hangup_all(self) -> None:
        for leg in list(self._legs):
            self.hangup(leg)


def _implements_the_port(fake: FakeTelephony) -> Telephony:
    return fake  # mypy proves the fake has the whole Telephony interface
