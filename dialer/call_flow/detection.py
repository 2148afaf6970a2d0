"""Answering-machine detection as the call-flow driver sees it: start on a leg, poll verdicts.

`RunnerDetector` taps the leg's audio through the telephony port (the pjsua2 adapter copies
frames on its clock thread) into the process's `AnalysisRunner` (analysis threads). Verdicts are
queued by the analysis thread and drained by the attempt's own thread on its next poll: no
pjsua2 object is touched off the SIP loop, no business decision is taken on another thread.
"""

from __future__ import annotations

import logging
import queue
from typing import Protocol

from dialer.amd import AmdDecided, AmdEvent, AnalysisRunner, AudioTap, BeepDetected, BeepWaitEnded
from dialer.call_flow.amd_policy import AmdPolicy
from dialer.call_flow.inputs import AmdVerdict, BeepHeard, FlowEvent
from dialer.call_flow.ports import Clock
from dialer.telephony.errors import TelephonyError
from dialer.telephony.events import LegId
from dialer.telephony.interface import Telephony

log = logging.getLogger(__name__)


class Detection(Protocol):
    def poll(self) -> list[FlowEvent]:
        """Verdicts that arrived since the last poll (never blocks)."""
        ...

    def stop(self) -> None: ...


class Detector(Protocol):
    def start(self, leg: LegId, policy: AmdPolicy) -> Detection: ...


class _TapSink:
    """The telephony FrameSink in front of a runner tap: runs on the audio clock thread."""

    def __init__(self, tap: AudioTap) -> None:
        self._tap = tap

    def offer(self, frame: bytes) -> None:
        self._tap.push(frame)


class _RunnerDetection:
    def __init__(self, leg: LegId, telephony: Telephony, clock: Clock) -> None:
        self.leg = leg
        self.telephony = telephony
        self.clock = clock
        self.events: queue.SimpleQueue[FlowEvent] = queue.SimpleQueue()
        self.tap: AudioTap | None = None
        self.tap_id: str | None = None

    def on_event(self, call_id: str, event: AmdEvent) -> None:
        """On the analysis thread: translate and queue, nothing else."""
        now = self.clock.now()
        match event:
            case AmdDecided(decision, cause, at_ms, silence_after_speech_ms=silent_ms):
                self.events.put(AmdVerdict(self.leg, now, decision, cause.value, at_ms, silent_ms))
            case BeepDetected():
                self.events.put(BeepHeard(self.leg, now, "beep"))
            case BeepWaitEnded(outcome):
                self.events.put(BeepHeard(self.leg, now, outcome.value))

    def poll(self) -> list[FlowEvent]:
        found: list[FlowEvent] = []
        while True:
            try:
                found.append(self.events.get_nowait())
            except queue.Empty:
                return found

    def stop(self) -> None:
        if self.tap_id is not None:
            try:
                self.telephony.untap(self.tap_id)
            except TelephonyError as exc:
                log.info("leg %s: untap: %s", self.leg, exc)
            self.tap_id = None
        if self.tap is not None:
            self.tap.close()
            self.tap = None


class RunnerDetector:
    """The live detector of a worker process: one per process, shared by its attempts."""

    def __init__(self, telephony: Telephony, runner: AnalysisRunner, clock: Clock) -> None:
        self.telephony = telephony
        self.runner = runner
        self.clock = clock

    def start(self, leg: LegId, policy: AmdPolicy) -> Detection:
        detection = _RunnerDetection(leg, self.telephony, self.clock)
        beep = policy.beep if policy.waits_for_beep else None
        detection.tap = self.runner.open(leg, detection.on_event, policy.settings, beep)
        try:
            detection.tap_id = self.telephony.tap(leg, _TapSink(detection.tap))
        except TelephonyError:
            detection.stop()
            raise
        return detection
