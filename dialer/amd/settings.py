"""Every threshold of answering-machine detection, as campaign settings with tuned defaults.

Named after Asterisk app_amd's documented parameters where they mean the same thing, so people who
know that tool can read a campaign's settings. The defaults were tuned on the generated corpus
(`dialer.amd.corpus`) and checked on a held-out seed with other voices: see docs/amd.md.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from enum import StrEnum

from dialer.amd.audio import SILENT_DBFS


class Decision(StrEnum):
    """What the detector concluded. Callers must treat NOT_SURE exactly like HUMAN."""

    HUMAN = "human"
    MACHINE = "machine"
    NOT_SURE = "not_sure"


class AmdSettingsError(ValueError):
    """A threshold is out of range; the message names the field."""


@dataclass(frozen=True)
class AmdSettings:
    """Greeting classifier thresholds. Durations in milliseconds of audio since the answer."""

    # Silence before any word: a person says something within a second or two of picking up.
    initial_silence_ms: int = 2500
    # What a call that stays silent that long is taken for (app_amd says machine).
    initial_silence_decision: Decision = Decision.MACHINE
    # Voiced time of the greeting past which it is too long for a person's "hello".
    greeting_ms: int = 2000
    # A greeting of this much voice in at least `wordy_greeting_words` words is a machine reading
    # its message, before it reaches `greeting_ms`: people's hellos that long came in fewer
    # bursts (a named hello: 1-3), voicemail in many. Decides machines earlier, not more of them.
    # Where the 20 ms frames fall splits a word in two or not: at 1400 ms a tuning hello made 4
    # bursts at half the frame phases (and a person was hung up on a real call); 1800 is 1.2x
    # the 1480 ms above which no phase of any tuning hello did (docs/amd.md).
    wordy_greeting_ms: int = 1800
    wordy_greeting_words: int = 4
    # A beep-like tone this long after some speech, before any verdict, is a voicemail's beep
    # after a short greeting ("Hi, leave a message." *beep*), which would otherwise pass for a
    # person's hello. People's speech held at most 60-80 ms runs at the beep's purity in the
    # corpus; the SIT tones come before any speech and are left to their own rule.
    beep_after_greeting_ms: int = 200
    # Silence after the greeting that means a person is waiting for us to speak.
    after_greeting_silence_ms: int = 900
    # A greeting of at most `hello_ms` of voice in at most `hello_words` words ("Hello?") is a
    # person already after `after_hello_silence_ms` of silence: a voicemail whose first burst is
    # that short ("Hi," ...) paused at most 760 ms in the tuning voices. Only ever turns a
    # verdict into HUMAN sooner, so it cannot hang up on a person (see docs/amd.md).
    after_hello_silence_ms: int = 800
    hello_ms: int = 600
    hello_words: int = 2
    # Hard limit: no decision by then is NOT_SURE (so, a person).
    total_analysis_ms: int = 5000
    # Shortest voiced run that counts as a word; shorter bursts are clicks and line noise.
    min_word_ms: int = 60
    # Silence that ends a word.
    between_words_silence_ms: int = 50
    # More words than this in the greeting is a machine reading its message.
    max_words: int = 8
    # A single voiced run longer than this is a machine (or music), not a word.
    max_word_ms: int = 5000
    # Frames quieter than this are silence whatever the noise floor is.
    silence_threshold_dbfs: float = -60.0
    # A frame is voice when it is this far above the tracked noise floor (and above the threshold).
    voice_margin_db: float = 10.0
    # How fast the noise floor may rise on changing sound: slow, so a greeting is not learned as
    # noise.
    floor_rise_db_per_s: float = 3.0
    # Sound whose frame levels stay within this range for this long is steady noise: the floor
    # jumps to it.
    steady_range_db: float = 8.0
    steady_ms: int = 300
    # Steady sound is noise only if spectrally flat: the mean share of energy in its strongest
    # peak at most this (measured: line noise about 0.13, voiced speech 0.6, tones near 1).
    noise_max_purity: float = 0.3

    def __post_init__(self) -> None:
        _require_positive(self, "initial_silence_ms", "greeting_ms", "after_greeting_silence_ms")
        _require_positive(self, "total_analysis_ms", "min_word_ms", "between_words_silence_ms")
        _require_positive(self, "max_words", "max_word_ms", "steady_ms")
        _require_positive(self, "wordy_greeting_ms", "wordy_greeting_words")
        _require_positive(self, "beep_after_greeting_ms")
        _require_positive(self, "after_hello_silence_ms", "hello_ms", "hello_words")
        _require_positive(self, "voice_margin_db", "steady_range_db", "noise_max_purity")
        _require_non_negative(self, "floor_rise_db_per_s")
        if not SILENT_DBFS < self.silence_threshold_dbfs < 0:
            raise AmdSettingsError(
                f"silence_threshold_dbfs must be between {SILENT_DBFS} and 0 dBFS, "
                f"got {self.silence_threshold_dbfs}"
            )
        if self.initial_silence_decision not in set(Decision):
            raise AmdSettingsError(
                f"initial_silence_decision must be one of {[d.value for d in Decision]}"
            )
        if self.after_hello_silence_ms > self.after_greeting_silence_ms:
            raise AmdSettingsError(
                "after_hello_silence_ms must not exceed after_greeting_silence_ms"
            )
        for name in ("initial_silence_ms", "after_greeting_silence_ms"):
            if getattr(self, name) > self.total_analysis_ms:
                raise AmdSettingsError(f"{name} must not exceed total_analysis_ms")


@dataclass(frozen=True)
class BeepSettings:
    """Voicemail beep detection, which runs after a MACHINE decision."""

    # Voicemail beeps seen in the field sit between these frequencies.
    min_hz: float = 400.0
    max_hz: float = 2500.0
    # Shortest and longest tone that counts as a beep. Whole 20 ms frames measure a tone, so a
    # 100 ms beep (the shortest in the corpus) spans 80 ms of them at some frame phases.
    min_tone_ms: int = 80
    max_tone_ms: int = 2500
    # Share of the frame's energy in the tone's main lobe: a sinusoid is near 1. At 0.8, voiced
    # speech (a strong low harmonic near 400-500 Hz) passed for 100-140 ms beeps in a quarter of
    # the tuning greetings; at 0.95 none did and no real beep was lost.
    min_purity: float = 0.95
    # Frame-to-frame frequency drift still counted as one tone (a beep is steady, speech glides).
    max_drift_hz: float = 40.0
    # The tone must stand out from line noise.
    min_level_dbfs: float = -45.0
    # Give up waiting for a beep this long after the answer.
    max_wait_ms: int = 20000
    # Silence after the greeting this long means the machine is recording without a beep.
    silence_fallback_ms: int = 2500
    # A beep counts once this long has passed after it without voice: a held vowel whose
    # strongest harmonic (~450 Hz) passed for a 100-120 ms tone is followed by more greeting. At
    # some frame phases 6 of 1156 fresh-voice machines got such a "beep" mid-greeting (0:
    # report at the tone's end, as before).
    confirm_ms: int = 200

    def __post_init__(self) -> None:
        _require_positive(self, "min_hz", "max_hz", "min_tone_ms", "max_tone_ms", "max_wait_ms")
        _require_positive(self, "min_purity", "max_drift_hz", "silence_fallback_ms")
        if self.min_hz >= self.max_hz:
            raise AmdSettingsError("min_hz must be below max_hz")
        if self.min_tone_ms > self.max_tone_ms:
            raise AmdSettingsError("min_tone_ms must not exceed max_tone_ms")
        if not 0 <= self.confirm_ms < self.silence_fallback_ms:
            raise AmdSettingsError("confirm_ms must be at least 0 and below silence_fallback_ms")
        if self.min_purity > 1.0:
            raise AmdSettingsError(f"min_purity must be at most 1, got {self.min_purity}")
        if not SILENT_DBFS < self.min_level_dbfs < 0:
            raise AmdSettingsError(f"min_level_dbfs must be below 0, got {self.min_level_dbfs}")


def settings_as_dict(settings: AmdSettings | BeepSettings) -> dict[str, object]:
    """Field values, for storing the settings an attempt was classified with and for reports."""
    return {f.name: getattr(settings, f.name) for f in fields(settings)}


def _require_positive(settings: object, *names: str) -> None:
    for name in names:
        value = getattr(settings, name)
        if not value > 0:
            raise AmdSettingsError(f"{name} must be positive, got {value}")


def _require_non_negative(settings: object, *names: str) -> None:
    for name in names:
        value = getattr(settings, name)
        if value < 0:
            raise AmdSettingsError(f"{name} must not be negative, got {value}")
