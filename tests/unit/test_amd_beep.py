"""After a MACHINE verdict the session waits for the voicemail beep, or falls back."""

from __future__ import annotations

import pytest

from dialer.amd import (
    AmdDecided,
    AmdEvent,
    AmdSession,
    AmdSettings,
    BeepDetected,
    BeepSettings,
    BeepWaitEnded,
    BeepWaitOutcome,
    Cause,
    Decision,
)
from tests.unit.synthetic_audio import silence, timed, tone, tone_between_frames, voice

pytestmark = pytest.mark.unit


def events_of(frames: list[bytes], beep: BeepSettings | None = None) -> list[AmdEvent]:
    session = AmdSession(AmdSettings(), beep or BeepSettings())
    events: list[AmdEvent] = []
    for frame, at_ms in timed(frames):
        events.extend(session.feed(frame, at_ms))
    return events


def greeting_then(*tail: list[bytes]) -> list[bytes]:
    frames = silence(400) + voice(4000)
    for part in tail:
        frames += part
    return frames


@pytest.mark.parametrize("hz", [440.0, 1000.0, 1400.0, 2100.0])
def test_a_beep_after_the_greeting_is_reported_at_its_start_and_end(hz: float) -> None:
    events = events_of(greeting_then(silence(600), tone(300, hz), silence(3000)))
    assert isinstance(events[0], AmdDecided) and events[0].decision is Decision.MACHINE
    beep = events[1]
    assert isinstance(beep, BeepDetected)
    assert (beep.start_ms, beep.end_ms) == (5000, 5300)
    assert beep.frequency_hz == pytest.approx(hz, abs=15)
    assert len(events) == 2


def test_a_beep_is_reported_once_it_has_been_followed_by_quiet() -> None:
    frames = greeting_then(silence(600), tone(300, 1000), silence(3000))
    session = AmdSession(AmdSettings(), BeepSettings())
    heard = [(t, e) for f, t in timed(frames) for e in session.feed(f, t)]
    (at_ms, beep) = heard[1]
    assert isinstance(beep, BeepDetected) and (beep.start_ms, beep.end_ms) == (5000, 5300)
    # the frame after the tone (its tail, maybe) is not judged; then confirm_ms of quiet
    assert at_ms == 5300 + 20 + BeepSettings().confirm_ms - 20


def test_a_vowel_that_passes_for_a_tone_mid_greeting_is_not_the_beep() -> None:
    # a voicemail reading on: a 120 ms "tone" at a low harmonic, then more of the greeting
    frames = greeting_then(tone(120, 450), voice(1500), silence(600), tone(300, 1000))
    events = events_of(frames + silence(3000))
    beeps = [e for e in events if isinstance(e, BeepDetected)]
    assert [b.start_ms for b in beeps] == [4400 + 120 + 1500 + 600]
    assert beeps[0].frequency_hz == pytest.approx(1000, abs=15)
    # as before the confirmation: the vowel was taken for the beep
    unconfirmed = events_of(frames + silence(3000), BeepSettings(confirm_ms=0))
    assert [e.start_ms for e in unconfirmed if isinstance(e, BeepDetected)] == [4400]


def test_without_confirmation_the_beep_is_reported_at_its_end() -> None:
    frames = greeting_then(silence(600), tone(300, 1000), silence(3000))
    session = AmdSession(AmdSettings(), BeepSettings(confirm_ms=0))
    heard = [(t, e) for f, t in timed(frames) for e in session.feed(f, t)]
    assert isinstance(heard[1][1], BeepDetected) and heard[1][0] == 5300


@pytest.mark.parametrize("offset_samples", [0, 40, 80, 120])
def test_a_100_ms_beep_is_found_wherever_the_frames_cut_it(offset_samples: int) -> None:
    # Half a frame in, whole frames hold only 80 ms of a 100 ms beep: `min_tone_ms` is 80.
    frames = greeting_then(silence(600), tone_between_frames(100, 1000, offset_samples))
    events = events_of(frames + silence(3000))
    beeps = [e for e in events if isinstance(e, BeepDetected)]
    assert len(beeps) == 1 and 5000 <= beeps[0].start_ms <= 5020
    if offset_samples == 80:  # what a 100 ms minimum missed
        missed = events_of(frames + silence(3000), BeepSettings(min_tone_ms=100))
        assert not [e for e in missed if isinstance(e, BeepDetected)]


def test_a_tone_too_short_to_be_a_beep_is_ignored() -> None:
    events = events_of(greeting_then(silence(200), tone(60, 1000), silence(4000)))
    assert isinstance(events[-1], BeepWaitEnded)


def test_a_tone_outside_the_beep_band_is_ignored() -> None:
    events = events_of(greeting_then(silence(200), tone(400, 3000), silence(4000)))
    assert not any(isinstance(e, BeepDetected) for e in events)


def test_silence_after_the_greeting_ends_the_wait_when_there_is_no_beep() -> None:
    events = events_of(greeting_then(silence(6000)))
    ended = events[-1]
    assert isinstance(ended, BeepWaitEnded)
    assert ended.outcome is BeepWaitOutcome.SILENCE_AFTER_GREETING
    assert ended.at_ms == 4400 + BeepSettings().silence_fallback_ms


def test_a_greeting_that_never_ends_times_out() -> None:
    beep = BeepSettings(max_wait_ms=8000)
    events = events_of(silence(400) + voice(12000), beep)
    ended = events[-1]
    assert isinstance(ended, BeepWaitEnded)
    assert (ended.outcome, ended.at_ms) == (BeepWaitOutcome.TIMEOUT, 8000)


def test_without_beep_settings_the_session_finishes_at_the_verdict() -> None:
    session = AmdSession(AmdSettings())
    frames = greeting_then(silence(300), tone(300, 1000), silence(3000))
    events = [e for f, t in timed(frames) for e in session.feed(f, t)]
    assert [type(e) for e in events] == [AmdDecided]
    assert session.finished


def test_a_person_is_never_kept_waiting_for_a_beep() -> None:
    events = events_of(silence(300) + voice(400) + silence(1000) + tone(300, 1000) + silence(3000))
    assert [type(e) for e in events] == [AmdDecided]
    assert isinstance(events[0], AmdDecided) and events[0].decision is Decision.HUMAN


def test_a_beep_right_after_a_short_greeting_is_a_machine_and_its_beep() -> None:
    # "Hi, leave a message." *beep*: the beep comes before the silence that would make it a
    # person; the message can start at once, after the beep already heard.
    events = events_of(silence(300) + voice(800) + silence(400) + tone(300, 1000) + silence(3000))
    decided, beep = events
    assert isinstance(decided, AmdDecided) and isinstance(beep, BeepDetected)
    assert (decided.decision, decided.cause) == (Decision.MACHINE, Cause.BEEP_AFTER_GREETING)
    assert (beep.start_ms, beep.end_ms) == (1500, 1800)
    assert decided.at_ms == 1800


def test_a_beep_after_a_short_greeting_ends_the_session_without_beep_settings() -> None:
    session = AmdSession(AmdSettings())
    frames = silence(300) + voice(800) + silence(400) + tone(300, 1000) + silence(3000)
    events = [e for frame, at_ms in timed(frames) for e in session.feed(frame, at_ms)]
    assert [type(e) for e in events] == [AmdDecided] and session.finished
    assert isinstance(events[0], AmdDecided) and events[0].cause is Cause.BEEP_AFTER_GREETING


def test_a_short_tone_in_a_hello_does_not_make_it_a_machine() -> None:
    # people's voiced speech held beep-pure runs of up to 80 ms in the corpus
    events = events_of(silence(300) + voice(400) + tone(120, 450) + silence(3000))
    assert isinstance(events[0], AmdDecided) and events[0].decision is Decision.HUMAN


def test_a_tone_before_anyone_spoke_is_no_beep_after_a_greeting() -> None:
    events = events_of(silence(300) + tone(300, 1000) + silence(3000))
    assert isinstance(events[0], AmdDecided)
    assert events[0].cause is not Cause.BEEP_AFTER_GREETING


def test_special_information_tones_mark_a_carrier_announcement_that_will_not_beep() -> None:
    sit = tone(380, 913.8) + tone(280, 1370.6) + tone(380, 1776.7)
    events = events_of(silence(200) + sit + silence(100) + voice(4000) + silence(3000))
    assert len(events) == 1
    decided = events[0]
    assert isinstance(decided, AmdDecided)
    assert (decided.decision, decided.cause) == (Decision.MACHINE, Cause.SPECIAL_INFORMATION_TONE)
    assert decided.at_ms == 200 + 380 + 280 + 380


def test_two_of_the_three_special_information_tones_are_not_enough() -> None:
    partial = tone(380, 913.8) + tone(280, 1370.6)
    events = events_of(silence(200) + partial + silence(100) + voice(4000) + silence(3000))
    assert (
        isinstance(events[0], AmdDecided) and events[0].cause is not Cause.SPECIAL_INFORMATION_TONE
    )
