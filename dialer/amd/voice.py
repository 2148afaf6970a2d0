"""Voice activity: is this frame voice, measured against an adaptive noise floor?

A fixed threshold fails both ways on real lines: quiet speakers fall under it and a noisy line sits
above it all the time (which reads as one endless word, so a noisy person becomes a "machine").
The floor falls at once to any quieter frame and rises slowly on changing sound: speech keeps
dipping between syllables, so a greeting never lifts it far. Steady, spectrally flat sound (a run
of frames whose levels stay within a few dB and whose strongest peak holds little of the energy)
is noise: the floor jumps to it, so a noisy line is learned in a few hundred milliseconds whatever
its level. Steady but peaky sound is not noise: a held vowel ("Heeey") has strong harmonics, and a
SIT or a beep is one pure tone; learning those would erase a person's hello or turn a carrier's
tones into "silence".
"""

from __future__ import annotations

from dataclasses import dataclass

from dialer.amd.audio import MS_PER_SECOND, SILENT_DBFS, FrameFeatures
from dialer.amd.settings import AmdSettings


@dataclass(frozen=True)
class NoiseFloor:
    level_dbfs: float = SILENT_DBFS
    # The current steady run: its quietest and loudest frame, length and summed peak purity.
    run_min_dbfs: float = SILENT_DBFS
    run_max_dbfs: float = SILENT_DBFS
    run_ms: int = 0
    run_frames: int = 0
    run_purity: float = 0.0


def is_voice(floor: NoiseFloor, level_dbfs: float, settings: AmdSettings) -> bool:
    """Voice is louder than the silence threshold and clearly above the noise floor."""
    threshold = max(settings.silence_threshold_dbfs, floor.level_dbfs + settings.voice_margin_db)
    return level_dbfs > threshold


def track_floor(floor: NoiseFloor, frame: FrameFeatures, settings: AmdSettings) -> NoiseFloor:
    """The noise floor after one more frame."""
    level = frame.level_dbfs
    if level <= SILENT_DBFS and floor.run_max_dbfs > settings.silence_threshold_dbfs:
        # Digital zero in the middle of sound is a lost packet (pjsua's jitter buffer hands out
        # zeros when RTP comes late), not the line's noise: it says nothing about the floor.
        # Dropping the floor to it turned a noisy line into "a word, then silence" (a person)
        # on live calls under load; see docs/amd.md.
        return floor
    run_min, run_max = min(floor.run_min_dbfs, level), max(floor.run_max_dbfs, level)
    if floor.run_ms > 0 and run_max - run_min <= settings.steady_range_db:
        run = NoiseFloor(
            floor.level_dbfs,
            run_min,
            run_max,
            floor.run_ms + frame.duration_ms,
            floor.run_frames + 1,
            floor.run_purity + frame.tone_purity,
        )
    else:
        run = NoiseFloor(floor.level_dbfs, level, level, frame.duration_ms, 1, frame.tone_purity)
    if level <= floor.level_dbfs:
        new_level = level
    elif run.run_ms >= settings.steady_ms and _is_flat(run, settings):
        new_level = max(floor.level_dbfs, run.run_min_dbfs)
    else:
        rise = settings.floor_rise_db_per_s * frame.duration_ms / MS_PER_SECOND
        new_level = min(level, floor.level_dbfs + rise)
    return NoiseFloor(
        new_level, run.run_min_dbfs, run.run_max_dbfs, run.run_ms, run.run_frames, run.run_purity
    )


def _is_flat(run: NoiseFloor, settings: AmdSettings) -> bool:
    return run.run_purity / run.run_frames <= settings.noise_max_purity
