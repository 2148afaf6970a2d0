"""The analysis runner classifies pushed audio on its own threads and reports through callbacks."""

from __future__ import annotations

import queue

import pytest

from dialer.amd import AmdDecided, AmdEvent, AmdSettings, BeepDetected, BeepSettings, Decision
from dialer.amd.runner import AnalysisRunner, EventCallback
from tests.unit.synthetic_audio import silence, tone, voice

pytestmark = pytest.mark.unit

# Generous: only a hung analysis thread would come near it. No test asserts how fast it was.
EVENT_WAIT_S = 30


def collector() -> tuple[queue.SimpleQueue[tuple[str, AmdEvent]], EventCallback]:
    events: queue.SimpleQueue[tuple[str, AmdEvent]] = queue.SimpleQueue()
    return events, lambda call_id, event: events.put((call_id, event))


def test_a_pushed_hello_is_reported_as_a_person_for_that_call() -> None:
    events, on_event = collector()
    with AnalysisRunner(threads=2) as runner:
        tap = runner.open("call-1", on_event, AmdSettings())
        for frame in silence(300) + voice(400) + silence(2000):
            tap.push(frame)
        call_id, event = events.get(timeout=EVENT_WAIT_S)
    assert call_id == "call-1"
    assert isinstance(event, AmdDecided) and event.decision is Decision.HUMAN
    assert event.at_ms == 300 + 400 + AmdSettings().after_hello_silence_ms


def test_audio_pushed_in_odd_sized_chunks_is_timed_as_if_framed() -> None:
    events, on_event = collector()
    audio = b"".join(silence(300) + voice(400) + silence(2000))
    with AnalysisRunner() as runner:
        tap = runner.open("call-2", on_event, AmdSettings())
        for start in range(0, len(audio), 123):
            tap.push(audio[start : start + 123])
        _, event = events.get(timeout=EVENT_WAIT_S)
    assert isinstance(event, AmdDecided)
    assert event.at_ms == 300 + 400 + AmdSettings().after_hello_silence_ms


def test_calls_on_one_runner_are_analysed_independently() -> None:
    events, on_event = collector()
    with AnalysisRunner(threads=2) as runner:
        person = runner.open("person", on_event, AmdSettings())
        machine = runner.open("machine", on_event, AmdSettings())
        for hello, greeting in zip(
            silence(300) + voice(400) + silence(2300), silence(300) + voice(2700), strict=True
        ):
            person.push(hello)
            machine.push(greeting)
        verdicts = dict(events.get(timeout=EVENT_WAIT_S) for _ in range(2))
    assert {k: v.decision for k, v in verdicts.items() if isinstance(v, AmdDecided)} == {
        "person": Decision.HUMAN,
        "machine": Decision.MACHINE,
    }


def test_a_machine_call_goes_on_to_report_the_beep_then_stops_listening() -> None:
    events, on_event = collector()
    frames = silence(300) + voice(3000) + silence(400) + tone(300, 1000) + silence(3000)
    with AnalysisRunner() as runner:
        tap = runner.open("vm", on_event, AmdSettings(), BeepSettings())
        for frame in frames:
            tap.push(frame)
        first = events.get(timeout=EVENT_WAIT_S)[1]
        second = events.get(timeout=EVENT_WAIT_S)[1]
        runner.stop()
    assert isinstance(first, AmdDecided) and first.decision is Decision.MACHINE
    assert isinstance(second, BeepDetected) and second.start_ms == 3700
    assert tap.finished
    assert events.empty()


def test_a_failing_callback_does_not_stop_other_calls() -> None:
    events, on_event = collector()

    def explode(call_id: str, event: AmdEvent) -> None:
        raise RuntimeError("call flow bug")

    with AnalysisRunner() as runner:
        broken = runner.open("broken", explode, AmdSettings())
        healthy = runner.open("healthy", on_event, AmdSettings())
        for frame in voice(400) + silence(2000):
            broken.push(frame)
            healthy.push(frame)
        call_id, _ = events.get(timeout=EVENT_WAIT_S)
    assert call_id == "healthy"
    assert broken.finished


def test_a_closed_tap_ignores_further_audio() -> None:
    events, on_event = collector()
    with AnalysisRunner() as runner:
        tap = runner.open("gone", on_event, AmdSettings())
        tap.push(voice(400)[0])
        tap.close()
        for frame in voice(400) + silence(3000):
            tap.push(frame)
        runner.stop()
    assert events.empty()
