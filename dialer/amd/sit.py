"""Special information tones: the three rising tones before "the number you have dialed is not in
service". Recognising them says more than "machine": the number is dead, do not dial it again.

Frequencies and lengths are the ones carriers use (ITU-T E.180 / Telcordia SIT): a low tone of
913.8 or 985.2 Hz, a middle one of 1370.6 or 1428.5 Hz and 1776.7 Hz, each 274 or 380 ms, back to
back. They reach us as tone runs from the beep follower, which already wants pure, steady tones.
"""

from __future__ import annotations

from dataclasses import dataclass

from dialer.amd.beep import BeepDetected

SIT_SEGMENTS_HZ = ((913.8, 985.2), (1370.6, 1428.5), (1776.7,))
# Our tone frequencies are accurate to a few Hz; carriers' tones to about 1.5 %.
SIT_TOLERANCE_HZ = 30.0
# Segments are 274 or 380 ms; frame alignment moves each edge by up to one 20 ms frame.
SIT_MIN_MS = 230
SIT_MAX_MS = 430
# The segments follow each other directly; allow a frame lost to alignment between them.
SIT_MAX_GAP_MS = 40


@dataclass(frozen=True)
class SitState:
    matched: int = 0
    last_end_ms: int = 0


def follow_sit(state: SitState, tone: BeepDetected | None) -> tuple[SitState, bool]:
    """Advance over one ended tone (or none); True once all three segments have been heard."""
    if tone is None:
        return state, False
    contiguous = state.matched == 0 or tone.start_ms - state.last_end_ms <= SIT_MAX_GAP_MS
    if contiguous and _is_segment(tone, state.matched):
        matched = state.matched + 1
        return SitState(matched, tone.end_ms), matched == len(SIT_SEGMENTS_HZ)
    if _is_segment(tone, 0):
        return SitState(1, tone.end_ms), False
    return SitState(), False


def _is_segment(tone: BeepDetected, index: int) -> bool:
    length = tone.end_ms - tone.start_ms
    return SIT_MIN_MS <= length <= SIT_MAX_MS and any(
        abs(tone.frequency_hz - hz) <= SIT_TOLERANCE_HZ for hz in SIT_SEGMENTS_HZ[index]
    )
