"""Audio over real SIP: bridging (both directions), playback, recording and frame taps."""

from __future__ import annotations

import contextlib
import queue
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from dialer.carrier import Scenario, SippCarrier
from dialer.carrier.baresip import BaresipAgent
from dialer.telephony import LegAnswered, LegEnded, LegId, OriginateRequest, PlaybackFinished

from .audio_check import SPEECH_RMS, rms
from .conftest import speak
from .inbox_events import wait_for

pytestmark = pytest.mark.sip


@pytest.fixture
def phones(tmp_path: Path, audio_dir: Path) -> Iterator[Callable[[str, str], BaresipAgent]]:
    started: list[BaresipAgent] = []

    def start(user: str, words: str) -> BaresipAgent:
        # Looped so baresip never reaches the end of its microphone file during a test.
        mic = speak(audio_dir, user, words, repeat=8)
        phone = BaresipAgent(tmp_path, mic, user=user).start()
        started.append(phone)
        return phone

    yield start
    for phone in started:
        phone.stop()


def test_bridged_legs_hear_each_other_in_both_directions(
    telephony: object, phones: Callable[[str, str], BaresipAgent]
) -> None:
    customer = phones("customer", "Hello, this is the customer. I would like to know more.")
    agent = phones("agent", "Good afternoon, this is the agent. How can I help you?")
    time.sleep(0.5)  # baresip binds its port
    inbox = telephony.open_inbox()  # type: ignore[attr-defined]
    a, b = LegId("bridge:customer"), LegId("bridge:agent")
    telephony.originate(OriginateRequest(a, customer.uri), inbox)  # type: ignore[attr-defined]
    telephony.originate(OriginateRequest(b, agent.uri), inbox)  # type: ignore[attr-defined]
    wait_for(inbox, LegAnswered, a)
    wait_for(inbox, LegAnswered, b)
    telephony.bridge(a, b)  # type: ignore[attr-defined]
    time.sleep(3.0)
    telephony.hangup(a)  # type: ignore[attr-defined]
    telephony.hangup(b)  # type: ignore[attr-defined]
    wait_for(inbox, LegEnded, a)
    wait_for(inbox, LegEnded, b)
    customer.stop()
    agent.stop()
    [heard_by_customer] = customer.received_audio()
    [heard_by_agent] = agent.received_audio()
    assert rms(heard_by_customer) > SPEECH_RMS, "the agent's voice did not reach the customer"
    assert rms(heard_by_agent) > SPEECH_RMS, "the customer's voice did not reach the agent"


def test_unbridged_legs_hear_nothing_of_each_other(
    telephony: object, phones: Callable[[str, str], BaresipAgent]
) -> None:
    customer = phones("lonely", "Is anybody there? Hello? Hello?")
    time.sleep(0.5)
    inbox = telephony.open_inbox()  # type: ignore[attr-defined]
    leg = LegId("alone:customer")
    telephony.originate(OriginateRequest(leg, customer.uri), inbox)  # type: ignore[attr-defined]
    wait_for(inbox, LegAnswered, leg)
    time.sleep(1.5)
    telephony.hangup(leg)  # type: ignore[attr-defined]
    wait_for(inbox, LegEnded, leg)
    customer.stop()
    for dump in customer.received_audio():
        assert rms(dump) < SPEECH_RMS


def test_wav_played_to_a_leg_is_heard_and_reports_its_end(
    telephony: object, phones: Callable[[str, str], BaresipAgent], audio_dir: Path
) -> None:
    listener = phones("listener", "Mm-hm.")
    message = speak(audio_dir, "message", "All our agents are busy. We will call you back.")
    time.sleep(0.5)
    inbox = telephony.open_inbox()  # type: ignore[attr-defined]
    leg = LegId("play:listener")
    telephony.originate(OriginateRequest(leg, listener.uri), inbox)  # type: ignore[attr-defined]
    wait_for(inbox, LegAnswered, leg)
    started = time.monotonic()
    playback = telephony.play(leg, message)  # type: ignore[attr-defined]
    finished = wait_for(inbox, PlaybackFinished, leg)
    assert isinstance(finished, PlaybackFinished) and finished.playback == playback
    assert time.monotonic() - started >= 2.0  # the message really played out
    telephony.hangup(leg)  # type: ignore[attr-defined]
    wait_for(inbox, LegEnded, leg)
    listener.stop()
    [heard] = listener.received_audio()
    assert rms(heard) > SPEECH_RMS


class Frames:
    def __init__(self) -> None:
        self.frames: queue.Queue[bytes] = queue.Queue(maxsize=500)

    def offer(self, frame: bytes) -> None:
        with contextlib.suppress(queue.Full):
            self.frames.put_nowait(frame)


def test_recording_and_frame_tap_capture_the_customers_speech(
    telephony: object, carrier: Callable[[Scenario], SippCarrier], tmp_path: Path
) -> None:
    from .conftest import CUSTOMER, trunk_to

    sipp = carrier(Scenario.ANSWER_AND_WAIT)
    inbox = telephony.open_inbox()  # type: ignore[attr-defined]
    leg = LegId("rec:customer")
    request = OriginateRequest.to_number(leg, trunk_to(sipp), CUSTOMER)
    telephony.originate(request, inbox)  # type: ignore[attr-defined]
    wav = tmp_path / "customer.wav"
    recording = telephony.record([leg], wav)  # type: ignore[attr-defined]
    sink = Frames()
    tap = telephony.tap(leg, sink)  # type: ignore[attr-defined]
    wait_for(inbox, LegAnswered, leg)
    time.sleep(2.5)
    telephony.untap(tap)  # type: ignore[attr-defined]
    telephony.stop_recording(recording)  # type: ignore[attr-defined]
    telephony.hangup(leg)  # type: ignore[attr-defined]
    wait_for(inbox, LegEnded, leg)
    assert rms(wav) > SPEECH_RMS
    frames = []
    while not sink.frames.empty():
        frames.append(sink.frames.get_nowait())
    assert len(frames) >= 50  # 20 ms frames: at least a second of audio
    assert {len(f) for f in frames} == {320}  # 16-bit, 8 kHz, 20 ms
    assert any(any(f) for f in frames)
