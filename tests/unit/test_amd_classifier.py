"""The greeting classifier decides like app_amd: people say little and wait, machines talk on."""

from __future__ import annotations

import pytest

from dialer.amd import AmdDecided, AmdSession, AmdSettings, Cause, Decision
from tests.unit.synthetic_audio import mixed, noise, silence, timed, voice

pytestmark = pytest.mark.unit


def decide(frames: list[bytes], settings: AmdSettings | None = None) -> AmdDecided:
    session = AmdSession(settings or AmdSettings())
    for frame, at_ms in timed(frames):
        for event in session.feed(frame, at_ms):
            assert isinstance(event, AmdDecided)
            return event
    raise AssertionError("no decision")


def test_silence_is_decided_by_the_initial_silence_rule() -> None:
    decided = decide(silence(6000))
    assert decided.decision is Decision.MACHINE
    assert decided.cause is Cause.INITIAL_SILENCE
    assert decided.at_ms == AmdSettings().initial_silence_ms


def test_initial_silence_verdict_is_a_campaign_setting() -> None:
    settings = AmdSettings(initial_silence_decision=Decision.NOT_SURE)
    assert decide(silence(6000), settings).decision is Decision.NOT_SURE


def test_a_short_hello_then_silence_is_a_person() -> None:
    decided = decide(silence(300) + voice(400) + silence(3000))
    assert decided.decision is Decision.HUMAN
    assert decided.cause is Cause.SHORT_HELLO_THEN_SILENCE
    assert decided.at_ms == 300 + 400 + AmdSettings().after_hello_silence_ms
    assert decided.silence_after_speech_ms == AmdSettings().after_hello_silence_ms


def test_a_longer_greeting_then_silence_is_a_person_after_the_longer_silence() -> None:
    # Two words and 1 s of voice: more than a "Hello?", so the voicemail-pause margin applies
    decided = decide(silence(300) + voice(500) + silence(150) + voice(500) + silence(3000))
    assert decided.decision is Decision.HUMAN
    assert decided.cause is Cause.SHORT_GREETING_THEN_SILENCE
    assert decided.silence_after_speech_ms == AmdSettings().after_greeting_silence_ms


def test_a_voicemail_that_pauses_after_its_first_short_word_keeps_listening() -> None:
    # "Hi, ..." then a pause shorter than after_hello_silence_ms, then the message reads on
    pause = AmdSettings().after_hello_silence_ms - 100
    decided = decide(voice(300) + silence(pause) + voice(AmdSettings().greeting_ms) + silence(3000))
    assert decided.decision is Decision.MACHINE


def test_a_long_continuous_greeting_is_a_machine() -> None:
    decided = decide(silence(300) + voice(6000))
    assert decided.decision is Decision.MACHINE
    assert decided.cause is Cause.LONG_GREETING
    assert decided.at_ms == 300 + AmdSettings().greeting_ms


def test_many_short_words_are_a_machine() -> None:
    words = (voice(120) + silence(100)) * (AmdSettings().max_words + 2)
    decided = decide(silence(200) + words + silence(2000))
    assert decided.decision is Decision.MACHINE
    assert decided.cause is Cause.MAX_WORDS
    assert decided.words == AmdSettings().max_words + 1


def test_a_greeting_in_many_words_is_a_machine_before_it_is_long() -> None:
    # Words of 400 ms: 1.8 s of voice 200 ms into the fifth word, before greeting_ms (2 s)
    assert AmdSettings().wordy_greeting_ms == 1800
    words = (voice(400) + silence(200)) * 6
    decided = decide(silence(500) + words + silence(3000))
    assert decided.decision is Decision.MACHINE
    assert decided.cause is Cause.WORDY_GREETING
    assert decided.voice_ms == AmdSettings().wordy_greeting_ms
    assert decided.at_ms == 500 + 4 * 600 + 200


def test_a_named_hello_in_few_words_is_still_a_person() -> None:
    # "Hi, this is Maria": 1.5 s of voice in three bursts, then the person waits
    hello = voice(500) + silence(150) + voice(500) + silence(150) + voice(500)
    decided = decide(silence(400) + hello + silence(3000))
    assert decided.decision is Decision.HUMAN


def test_one_voiced_run_longer_than_a_word_is_a_machine() -> None:
    settings = AmdSettings(greeting_ms=4000, max_word_ms=2000)
    decided = decide(voice(5000), settings)
    assert decided.cause is Cause.MAX_WORD_LENGTH


def test_clicks_too_short_to_be_words_end_in_not_sure_at_the_time_limit() -> None:
    clicks = (voice(40) + silence(400)) * 20
    decided = decide(clicks)
    assert decided.decision is Decision.NOT_SURE
    assert decided.cause is Cause.TOO_LONG
    assert decided.at_ms == AmdSettings().total_analysis_ms


def test_a_verdict_says_how_long_the_line_was_quiet_after_speech() -> None:
    # Words with pauses: no rule fires before the 5 s limit (the wordy-greeting rule is off
    # here); the sixth word ends at 4.7 s (the call flow counts the 2-second window from there,
    # not from the verdict).
    words = (voice(250) + silence(600)) * 12
    decided = decide(silence(200) + words, AmdSettings(wordy_greeting_words=20))
    assert decided.cause is Cause.TOO_LONG
    assert 300 <= decided.silence_after_speech_ms <= 400  # 300 ms, and the voice's last frames
    assert decide(silence(6000)).silence_after_speech_ms == 0  # nobody spoke


def test_a_hello_on_a_steady_noisy_line_is_still_a_person() -> None:
    line = noise(5000, level_dbfs=-40.0)
    speech = silence(1000) + voice(500) + silence(3500)
    decided = decide(mixed(line, speech))
    assert decided.decision is Decision.HUMAN


def test_a_pause_shorter_than_the_after_greeting_silence_keeps_listening() -> None:
    speech = voice(500) + silence(500) + voice(AmdSettings().greeting_ms) + silence(3000)
    decided = decide(speech)
    assert decided.decision is Decision.MACHINE
    assert decided.cause is Cause.LONG_GREETING


def test_decision_times_come_from_the_offsets_passed_in_not_a_clock() -> None:
    session = AmdSession(AmdSettings())
    frames = voice(400) + silence(2000)
    events = [e for i, f in enumerate(frames) for e in session.feed(f, 1000 + i * 20)]
    expected = 1000 + 400 + AmdSettings().after_hello_silence_ms
    assert [e.at_ms for e in events if isinstance(e, AmdDecided)] == [expected]


def test_a_line_that_comes_up_noisy_is_not_taken_for_a_short_hello() -> None:
    line = noise(5000, level_dbfs=-45.0)
    decided = decide(silence(200) + line)
    assert decided.cause is Cause.INITIAL_SILENCE


def test_steady_hiss_after_a_hello_does_not_erase_the_hello() -> None:
    # The hello starts before the hiss has been steady long enough to be learned as noise.
    starts_ms = AmdSettings().steady_ms - 100
    speech = silence(starts_ms) + voice(300) + silence(3000)
    decided = decide(mixed(noise(starts_ms + 3300, level_dbfs=-78.0), speech))
    assert decided.decision is Decision.HUMAN


@pytest.mark.parametrize("lost_ms", [20, 40])
def test_lost_packets_on_a_noisy_line_do_not_make_a_person(lost_ms: int) -> None:
    # pjsua's jitter buffer hands out digital zero for RTP that came late. Early in a noisy line
    # (before it has been learned as noise), that used to drop the floor to zero and turn the
    # noise on either side into "a word, then silence": a person. Seen on live calls under load.
    line = noise(200, level_dbfs=-35.0) + silence(lost_ms) + noise(5000, level_dbfs=-35.0, seed=3)
    decided = decide(line)
    assert decided.decision is Decision.MACHINE
    assert decided.cause is Cause.INITIAL_SILENCE
