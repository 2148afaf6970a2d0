"""The voicemail beep: a steady pure tone, heard after the classifier said MACHINE.

A campaign that leaves messages must start speaking after the beep, or the start of its message is
lost. We follow runs of frames whose strongest peak is pure, in band, loud enough and steady in
frequency, and report the beep once such a run has ended with a beep-like length and no voice has
followed it for `confirm_ms` (a machine records after its beep; a held vowel whose strongest
harmonic passed for a tone is followed by more of the greeting). Machines that record without a
beep are caught by the silence fallback; a greeting that never ends by the wait limit.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from enum import StrEnum

from dialer.amd.audio import FrameFeatures
from dialer.amd.settings import BeepSettings


class BeepWaitOutcome(StrEnum):
    TIMEOUT = "timeout"
    SILENCE_AFTER_GREETING = "greeting ended with silence"


@dataclass(frozen=True)
class BeepDetected:
    """A beep from `start_ms` to `end_ms` after the answer: start the message after `end_ms`."""

    start_ms: int
    end_ms: int
    frequency_hz: float


@dataclass(frozen=True)
class BeepWaitEnded:
    """No beep came: leave the message now (silence) or give up (timeout), as the campaign says."""

    outcome: BeepWaitOutcome
    at_ms: int


@dataclass(frozen=True)
class ToneRun:
    start_ms: int
    duration_ms: int
    frequency_hz: float


@dataclass(frozen=True)
class BeepState:
    tone: ToneRun | None = None
    silence_run_ms: int = 0
    # A tone of a beep's length that has ended, reported once `confirm_ms` pass without voice.
    pending: BeepDetected | None = None
    quiet_after_ms: int = 0


def is_tone_frame(frame: FrameFeatures, settings: BeepSettings) -> bool:
    return (
        frame.tone_purity >= settings.min_purity
        and settings.min_hz <= frame.tone_hz <= settings.max_hz
        and frame.level_dbfs >= settings.min_level_dbfs
    )


def follow_tone(
    state: BeepState, frame: FrameFeatures, at_ms: int, settings: BeepSettings
) -> tuple[BeepState, BeepDetected | None]:
    """Extend or end the current tone run; a run that ends with a beep's length is a beep."""
    tone = state.tone
    if is_tone_frame(frame, settings):
        if tone is not None and abs(frame.tone_hz - tone.frequency_hz) <= settings.max_drift_hz:
            # The run's frequency is the running mean, so slow wobble does not split a beep.
            total = tone.duration_ms + frame.duration_ms
            mean_hz = (
                tone.frequency_hz * tone.duration_ms + frame.tone_hz * frame.duration_ms
            ) / total
            return replace(state, tone=ToneRun(tone.start_ms, total, mean_hz)), None
        return replace(state, tone=ToneRun(at_ms, frame.duration_ms, frame.tone_hz)), _beep(
            tone, settings
        )
    return replace(state, tone=None), _beep(tone, settings)


def wait_for_beep(
    state: BeepState, frame: FrameFeatures, at_ms: int, voiced: bool, settings: BeepSettings
) -> tuple[BeepState, BeepDetected | BeepWaitEnded | None]:
    """One more frame while waiting for the beep; `voiced` comes from the classifier's floor."""
    state, ended = follow_tone(state, frame, at_ms, settings)
    if ended is not None and settings.confirm_ms == 0:
        return state, ended
    if ended is not None:
        # This frame may still hold the tone's tail: judge the frames after it.
        state = replace(state, pending=ended, quiet_after_ms=0)
    elif state.pending is not None and state.tone is None:
        if voiced:
            # The greeting went on: that "tone" was a held vowel's strongest harmonic.
            state = replace(state, pending=None, quiet_after_ms=0)
        else:
            quiet = state.quiet_after_ms + frame.duration_ms
            if quiet >= settings.confirm_ms:
                return replace(state, pending=None, quiet_after_ms=0), state.pending
            state = replace(state, quiet_after_ms=quiet)
    silence = 0 if voiced or state.tone is not None else state.silence_run_ms + frame.duration_ms
    state = replace(state, silence_run_ms=silence)
    end_ms = at_ms + frame.duration_ms
    if silence >= settings.silence_fallback_ms:
        return state, BeepWaitEnded(BeepWaitOutcome.SILENCE_AFTER_GREETING, end_ms)
    if end_ms >= settings.max_wait_ms:
        return state, BeepWaitEnded(BeepWaitOutcome.TIMEOUT, end_ms)
    return state, None


def _beep(tone: ToneRun | None, settings: BeepSettings) -> BeepDetected | None:
    if tone is None or not settings.min_tone_ms <= tone.duration_ms <= settings.max_tone_ms:
        return None
    return BeepDetected(
        start_ms=tone.start_ms,
        end_ms=tone.start_ms + tone.duration_ms,
        frequency_hz=round(tone.frequency_hz, 1),
    )
