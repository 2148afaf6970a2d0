"""Voice activity: is this frame voice, measured against an adaptive noise floor?

A fixed threshold fails both ways on real lines: quiet speakers fall under it and a noisy line sits
above it all the time (which reads as one endless word, so a noisy person becomes a "machine").
The floor falls at once to any quieter frame, and rises slowly on changing sound (speech keeps
dipping between syllables, so a greeting never lifts it far) but quickly on steady sound (noise),
so a noisy line is learned within a few hundred milliseconds.
"""

from __future__ import annotations

from dataclasses import dataclass

from dialer.amd.audio import MS_PER_SECOND, SILENT_DBFS
from dialer.amd.settings import AmdSettings


@dataclass(frozen=True)
class NoiseFloor:
    level_dbfs: float = SILENT_DBFS
    previous_dbfs: float = SILENT_DBFS
    steady_ms: int = 0


def is_voice(floor: NoiseFloor, level_dbfs: float, settings: AmdSettings) -> bool:
    """Voice is louder than the silence threshold and clearly above the noise floor."""
    return level_dbfs > max(
        settings.silence_threshold_dbfs, floor.level_dbfs + settings.voice_margin_db
    )


def track_floor(
    floor: NoiseFloor, level_dbfs: float, duration_ms: int, settings: AmdSettings
) -> NoiseFloor:
    """The noise floor after one more frame."""
    steady = abs(level_dbfs - floor.previous_dbfs) < settings.steady_change_db
    steady_ms = floor.steady_ms + duration_ms if steady else 0
    if level_dbfs <= floor.level_dbfs:
        new_level = level_dbfs
    else:
        rate = (
            settings.steady_floor_rise_db_per_s
            if steady_ms >= settings.steady_ms
            else settings.floor_rise_db_per_s
        )
        new_level = min(level_dbfs, floor.level_dbfs + rate * duration_ms / MS_PER_SECOND)
    return NoiseFloor(level_dbfs=new_level, previous_dbfs=level_dbfs, steady_ms=steady_ms)
