"""Whatever the audio, the classifier decides exactly once, within the total analysis time."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dialer.amd import AmdDecided, AmdSession, AmdSettings
from tests.unit.synthetic_audio import noise, silence, timed, tone, voice

pytestmark = pytest.mark.unit

SEGMENTS = st.one_of(
    st.builds(silence, st.integers(20, 1500)),
    st.builds(voice, st.integers(20, 1500), st.integers(0, 9)),
    st.builds(noise, st.integers(20, 1500), st.floats(-70, -20), st.integers(0, 9)),
    st.builds(tone, st.integers(20, 800), st.floats(300, 3000)),
)


@settings(max_examples=60, deadline=None)
@given(st.lists(SEGMENTS, min_size=1, max_size=12))
def test_exactly_one_decision_within_the_total_analysis_time(segments: list[list[bytes]]) -> None:
    frames = [frame for segment in segments for frame in segment] + silence(6000)
    limits = AmdSettings()
    session = AmdSession(limits)
    decisions = [
        event
        for frame, at_ms in timed(frames)
        for event in session.feed(frame, at_ms)
        if isinstance(event, AmdDecided)
    ]
    assert len(decisions) == 1
    assert decisions[0].at_ms <= limits.total_analysis_ms
