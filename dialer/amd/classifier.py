"""The greeting classifier: a pure state machine fed one frame at a time.

The idea is app_amd's: a person answers with a short greeting ("Hello?") and then waits for us,
while a machine starts later or talks longer, in more words, without waiting. We track voiced and
silent runs, count words, and stop at the first rule that fires. Nothing here reads a clock: the
offset of each frame from the answer is passed in, so the same code runs live, offline and in tests.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from enum import StrEnum

from dialer.amd.audio import FrameFeatures
from dialer.amd.settings import AmdSettings, Decision
from dialer.amd.voice import NoiseFloor, is_voice, track_floor


class Cause(StrEnum):
    """Which rule decided; stored with the attempt so a wrong decision can be explained."""

    INITIAL_SILENCE = "initial silence"
    LONG_GREETING = "long greeting"
    WORDY_GREETING = "wordy greeting"
    MAX_WORDS = "max words"
    MAX_WORD_LENGTH = "max word length"
    SHORT_GREETING_THEN_SILENCE = "human: short greeting then silence"
    SHORT_HELLO_THEN_SILENCE = "human: short hello then silence"
    TOO_LONG = "total analysis time reached"
    SPECIAL_INFORMATION_TONE = "special information tone"
    BEEP_AFTER_GREETING = "beep after greeting"


@dataclass(frozen=True)
class AmdDecided:
    """The classifier's verdict, `at_ms` after the answer (the end of the deciding frame)."""

    decision: Decision
    cause: Cause
    at_ms: int
    words: int
    voice_ms: int
    # Silence since the last speech when the verdict came (0 when none was heard): the US
    # 2-second window runs from the end of the greeting, which was that long before.
    silence_after_speech_ms: int = 0


@dataclass(frozen=True)
class GreetingState:
    floor: NoiseFloor = field(default_factory=NoiseFloor)
    words: int = 0
    in_word: bool = False
    voice_ms: int = 0
    voice_run_ms: int = 0
    silence_run_ms: int = 0
    decided: AmdDecided | None = None

    @property
    def heard_greeting(self) -> bool:
        return self.words > 0


def classify_frame(
    state: GreetingState, frame: FrameFeatures, at_ms: int, settings: AmdSettings
) -> GreetingState:
    """The state after one more frame starting `at_ms` after the answer.

    Once `decided` is set the state no longer changes: the first rule to fire wins.
    """
    if state.decided is not None:
        return state
    voiced = is_voice(state.floor, frame.level_dbfs, settings)
    floor = track_floor(state.floor, frame, settings)
    end_ms = at_ms + frame.duration_ms
    if _learned_noise(state, floor, voiced, settings):
        # Everything "heard" so far was the steady noise just learned (a line that comes up
        # noisy): it was never a greeting, so forget it instead of calling it a short hello.
        return GreetingState(floor=floor, silence_run_ms=floor.run_ms)
    if voiced:
        state = _after_voice(replace(state, floor=floor), frame.duration_ms, settings)
    else:
        state = _after_silence(replace(state, floor=floor), frame.duration_ms, settings)
    cause = _deciding_rule(state, end_ms, settings)
    if cause is None:
        return state
    return replace(
        state,
        decided=AmdDecided(
            decision=_DECISION_BY_CAUSE.get(cause, settings.initial_silence_decision),
            cause=cause,
            at_ms=end_ms,
            words=state.words,
            voice_ms=state.voice_ms,
            silence_after_speech_ms=state.silence_run_ms if state.heard_greeting else 0,
        ),
    )


def _learned_noise(
    state: GreetingState, floor: NoiseFloor, voiced: bool, settings: AmdSettings
) -> bool:
    # Only when all the voice so far is one unbroken run, still going on, that lies inside the
    # steady run: silence after a real word can be steady too (line hiss), and must not erase it.
    jumped = floor.level_dbfs >= state.floor.level_dbfs + settings.voice_margin_db
    one_ongoing_run = voiced and state.silence_run_ms == 0 and state.voice_ms == state.voice_run_ms
    return jumped and one_ongoing_run and 0 < state.voice_ms <= floor.run_ms


def _after_voice(state: GreetingState, duration_ms: int, settings: AmdSettings) -> GreetingState:
    run = state.voice_run_ms + duration_ms
    starts_word = not state.in_word and run >= settings.min_word_ms
    return replace(
        state,
        voice_run_ms=run,
        silence_run_ms=0,
        # Voice before the first word is counted too: it is part of that word once it is long
        # enough, and a click too short to be a word is too short to matter to the greeting.
        voice_ms=state.voice_ms + duration_ms,
        words=state.words + 1 if starts_word else state.words,
        in_word=state.in_word or starts_word,
    )


def _after_silence(state: GreetingState, duration_ms: int, settings: AmdSettings) -> GreetingState:
    silence = state.silence_run_ms + duration_ms
    ends_word = state.in_word and silence >= settings.between_words_silence_ms
    return replace(
        state,
        silence_run_ms=silence,
        voice_run_ms=0 if silence >= settings.between_words_silence_ms else state.voice_run_ms,
        in_word=state.in_word and not ends_word,
        voice_ms=state.voice_ms if state.heard_greeting else 0,
    )


def _deciding_rule(state: GreetingState, end_ms: int, settings: AmdSettings) -> Cause | None:
    if state.heard_greeting:
        if state.words > settings.max_words:
            return Cause.MAX_WORDS
        if state.voice_run_ms >= settings.max_word_ms:
            return Cause.MAX_WORD_LENGTH
        if state.voice_ms >= settings.greeting_ms:
            return Cause.LONG_GREETING
        if (
            state.voice_ms >= settings.wordy_greeting_ms
            and state.words >= settings.wordy_greeting_words
        ):
            return Cause.WORDY_GREETING
        if state.silence_run_ms >= settings.after_greeting_silence_ms:
            return Cause.SHORT_GREETING_THEN_SILENCE
        if _short_hello(state, settings) and (
            state.silence_run_ms >= settings.after_hello_silence_ms
        ):
            return Cause.SHORT_HELLO_THEN_SILENCE
    elif state.silence_run_ms >= settings.initial_silence_ms:
        return Cause.INITIAL_SILENCE
    if end_ms >= settings.total_analysis_ms:
        return Cause.TOO_LONG
    return None


def _short_hello(state: GreetingState, settings: AmdSettings) -> bool:
    # A "Hello?" alone: little voice in few bursts. A voicemail's first sentence before its
    # first pause is longer ("Hi, you've reached Tom Baker."), so it keeps the longer silence.
    return state.voice_ms <= settings.hello_ms and state.words <= settings.hello_words


_DECISION_BY_CAUSE = {
    Cause.LONG_GREETING: Decision.MACHINE,
    Cause.WORDY_GREETING: Decision.MACHINE,
    Cause.MAX_WORDS: Decision.MACHINE,
    Cause.MAX_WORD_LENGTH: Decision.MACHINE,
    Cause.SHORT_GREETING_THEN_SILENCE: Decision.HUMAN,
    Cause.SHORT_HELLO_THEN_SILENCE: Decision.HUMAN,
    Cause.TOO_LONG: Decision.NOT_SURE,
}
