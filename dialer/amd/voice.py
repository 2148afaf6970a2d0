"""Voice activity: is this frame voice, measured against an adaptive noise floor?

A fixed threshold fails both ways on real lines: quiet speakers fall under it and a noisy line sits
above it all the time (which reads as one endless word, so a noisy person becomes a "machine").
The floor falls at once to any quieter frame and rises slowly on changing sound: speech keeps
dipping between syllables, so a greeting never lifts it far. Steady sound (a run of frames whose
levels stay within a few dB) is noise: the floor jumps to it, so a noisy line is learned in a few
hundred milliseconds whatever its level. Pure tones are steady too but are not noise (a SIT, a
beep): learning them would turn a carrier's tones into "silence" and its announcement into a
person's short hello.
"""

from __future__ import annotations

from dataclasses import dataclass

from dialer.amd.audio import MS_PER_SECOND, SILENT_DBFS, FrameFeatures
from dialer.amd.settings import AmdSettings


@dataclass(frozen=True)
class NoiseFloor:
    level_dbfs: float = SILENT_DBFS
    # The current steady run: its quietest and loudest frame, and how long it has lasted.
    run_min_dbfs: float = SILENT_DBFS
    run_max_dbfs: float = SILENT_DBFS
    run_ms: int = 0


def is_voice(floor: NoiseFloor, level_dbfs: float, settings: AmdSettings) -> bool:
    """Voice is louder than the silence threshold and clearly above the noise floor."""
    threshold = max(settings.silence_threshold_dbfs, floor.level_dbfs + settings.voice_margin_db)
    return level_dbfs > threshold


def track_floor(floor: NoiseFloor, frame: FrameFeatures, settings: AmdSettings) -> NoiseFloor:
    """The noise floor after one more frame."""
    level_dbfs, duration_ms = frame.level_dbfs, frame.duration_ms
    if frame.tone_purity >= settings.tone_purity:
        return NoiseFloor(min(floor.level_dbfs, level_dbfs), level_dbfs, level_dbfs, 0)
    run_min = min(floor.run_min_dbfs, level_dbfs)
    run_max = max(floor.run_max_dbfs, level_dbfs)
    if floor.run_ms > 0 and run_max - run_min <= settings.steady_range_db:
        run_ms = floor.run_ms + duration_ms
    else:
        run_min, run_max, run_ms = level_dbfs, level_dbfs, duration_ms
    if level_dbfs <= floor.level_dbfs:
        new_level = level_dbfs
    elif run_ms >= settings.steady_ms:
        new_level = max(floor.level_dbfs, run_min)
    else:
        rise = settings.floor_rise_db_per_s * duration_ms / MS_PER_SECOND
        new_level = min(level_dbfs, floor.level_dbfs + rise)
    return NoiseFloor(new_level, run_min, run_max, run_ms)
