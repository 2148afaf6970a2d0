"""One call's detection from answer to verdict (and to the beep): pure state, plus a small wrapper.

Events come out in the order a call flow needs them: `AmdDecided` once, then, for a MACHINE when the
campaign leaves messages, one `BeepDetected` or `BeepWaitEnded`. After the last event the session
is finished and further frames are ignored, so a tap that keeps pushing costs next to nothing.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from dialer.amd.audio import FrameFeatures, measure_frame
from dialer.amd.beep import BeepDetected, BeepState, BeepWaitEnded, follow_tone, wait_for_beep
from dialer.amd.classifier import AmdDecided, Cause, GreetingState, classify_frame
from dialer.amd.settings import AmdSettings, BeepSettings, Decision
from dialer.amd.sit import SitState, follow_sit
from dialer.amd.voice import is_voice, track_floor

AmdEvent = AmdDecided | BeepDetected | BeepWaitEnded


def connects_to_agent(decision: Decision) -> bool:
    """Whether the call goes to an agent. NOT_SURE is a person: hanging up on a person is an
    abandoned call (COMPLIANCE.md), while an agent hearing a machine only loses a few seconds."""
    return decision is not Decision.MACHINE


@dataclass(frozen=True)
class SessionState:
    greeting: GreetingState = field(default_factory=GreetingState)
    beep: BeepState = field(default_factory=BeepState)
    sit: SitState = field(default_factory=SitState)
    # Milliseconds of beep-like tones heard before the verdict (the SIT's, a beep's): voice to
    # the classifier, but not speech.
    tones_ms: int = 0
    finished: bool = False


def analyse_frame(
    state: SessionState,
    frame: FrameFeatures,
    at_ms: int,
    settings: AmdSettings,
    beep_settings: BeepSettings | None,
) -> tuple[SessionState, tuple[AmdEvent, ...]]:
    """The session after one more frame, and the events it produced (usually none).

    `beep_settings=None` means the campaign does not leave messages: finish at the verdict.
    """
    if state.finished:
        return state, ()
    if state.greeting.decided is None:
        return _before_verdict(state, frame, at_ms, settings, beep_settings)
    if beep_settings is None:  # unreachable through the public API: such sessions finish at once
        return replace(state, finished=True), ()
    return _waiting_for_beep(state, frame, at_ms, settings, beep_settings)


def _before_verdict(
    state: SessionState,
    frame: FrameFeatures,
    at_ms: int,
    settings: AmdSettings,
    beep_settings: BeepSettings | None,
) -> tuple[SessionState, tuple[AmdEvent, ...]]:
    greeting = classify_frame(state.greeting, frame, at_ms, settings)
    # Tones are followed from the answer on: a beep under way at the verdict is not missed, and
    # the three SIT tones, over before any verdict, mark a carrier announcement.
    beep, tone = follow_tone(state.beep, frame, at_ms, _beep_or_default(beep_settings))
    sit, heard_sit = follow_sit(state.sit, tone)
    if heard_sit and greeting.decided is None:
        # A carrier announcement: a machine, and one that will never beep.
        announced = _sit_decision(greeting, at_ms)
        return replace(state, greeting=replace(greeting, decided=announced), finished=True), (
            announced,
        )
    tones_ms = state.tones_ms + (0 if tone is None else tone.end_ms - tone.start_ms)
    state = replace(state, greeting=greeting, beep=beep, sit=sit, tones_ms=tones_ms)
    decided = greeting.decided
    if decided is None and tone is not None and _beep_after_speech(state, tone, settings):
        # A voicemail's beep after a short greeting: a machine, and its beep is already heard.
        decided = _beep_decision(greeting, at_ms)
        state = replace(state, greeting=replace(greeting, decided=decided), finished=True)
        return state, (decided,) if beep_settings is None else (decided, tone)
    if decided is None:
        return state, ()
    waits = beep_settings is not None and decided.decision is Decision.MACHINE
    return replace(state, finished=not waits), (decided,)


def _waiting_for_beep(
    state: SessionState,
    frame: FrameFeatures,
    at_ms: int,
    settings: AmdSettings,
    beep_settings: BeepSettings,
) -> tuple[SessionState, tuple[AmdEvent, ...]]:
    floor = state.greeting.floor
    voiced = is_voice(floor, frame.level_dbfs, settings)
    greeting = replace(state.greeting, floor=track_floor(floor, frame, settings))
    beep, event = wait_for_beep(state.beep, frame, at_ms, voiced, beep_settings)
    state = replace(state, greeting=greeting, beep=beep, finished=event is not None)
    return state, () if event is None else (event,)


class AmdSession:
    """Holds one call's `SessionState`; not thread-safe (the runner gives each call one thread)."""

    def __init__(self, settings: AmdSettings, beep_settings: BeepSettings | None = None) -> None:
        self.settings = settings
        self.beep_settings = beep_settings
        self.state = SessionState()

    @property
    def finished(self) -> bool:
        return self.state.finished

    def feed(self, pcm: bytes, at_ms: int) -> tuple[AmdEvent, ...]:
        """Analyse a chunk of 8 kHz 16-bit little-endian mono PCM starting `at_ms` after answer."""
        if self.state.finished:
            return ()
        self.state, events = analyse_frame(
            self.state, measure_frame(pcm), at_ms, self.settings, self.beep_settings
        )
        return events


_DEFAULT_BEEP = BeepSettings()


def _sit_decision(greeting: GreetingState, at_ms: int) -> AmdDecided:
    # The tone run ended at the start of this frame (`at_ms`), when its successor began.
    return AmdDecided(
        Decision.MACHINE, Cause.SPECIAL_INFORMATION_TONE, at_ms, greeting.words, greeting.voice_ms
    )


def _beep_after_speech(state: SessionState, tone: BeepDetected, settings: AmdSettings) -> bool:
    # Tones were voice to the classifier: someone spoke only if there was more voice than tones
    # (the SIT's three tones come before any speech and are no beep after a greeting).
    spoke = state.greeting.voice_ms - state.tones_ms >= settings.min_word_ms
    # The second or third of a carrier's SIT tones: the first one, its transition frames and any
    # line noise before it can add up to "speech". A first segment alone (913.8 or 985.2 Hz) is
    # also a common 1 kHz voicemail beep: that one counts when someone spoke before it.
    a_sit_segment = state.sit.matched >= 2
    long_enough = tone.end_ms - tone.start_ms >= settings.beep_after_greeting_ms
    return spoke and long_enough and not a_sit_segment


def _beep_decision(greeting: GreetingState, at_ms: int) -> AmdDecided:
    return AmdDecided(
        Decision.MACHINE, Cause.BEEP_AFTER_GREETING, at_ms, greeting.words, greeting.voice_ms
    )


def _beep_or_default(beep_settings: BeepSettings | None) -> BeepSettings:
    return _DEFAULT_BEEP if beep_settings is None else beep_settings
