"""A detector for unit tests on the fake telephony: verdicts at scripted offsets from start.

Each event is given as (seconds after detection started, a function of the leg and the time
that makes the flow event), and comes out of `poll` once the clock has reached its time.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from dialer.amd import Decision
from dialer.call_flow.amd_policy import AmdPolicy
from dialer.call_flow.inputs import AmdVerdict, BeepHeard, FlowEvent
from dialer.call_flow.ports import Clock
from dialer.telephony.events import LegId

Make = Callable[[LegId, datetime], FlowEvent]


def verdict(decision: Decision, cause: str = "scripted", silence_after_speech_ms: int = 0) -> Make:
    def make(leg: LegId, at: datetime) -> FlowEvent:
        return AmdVerdict(leg, at, decision, cause, 0, silence_after_speech_ms)

    return make


def beep(how: str = "beep") -> Make:
    def make(leg: LegId, at: datetime) -> FlowEvent:
        return BeepHeard(leg, at, how)

    return make


@dataclass
class _Scripted:
    clock: Clock
    pending: list[tuple[datetime, FlowEvent]]
    stopped: bool = False

    def poll(self) -> list[FlowEvent]:
        if self.stopped:
            return []
        now = self.clock.now()
        due = [event for at, event in self.pending if at <= now]
        self.pending = [(at, event) for at, event in self.pending if at > now]
        return due

    def stop(self) -> None:
        self.stopped = True


@dataclass
class ScriptedDetector:
    clock: Clock
    script: list[tuple[float, Make]]
    started: list[tuple[LegId, AmdPolicy]] = field(default_factory=list)
    detections: list[_Scripted] = field(default_factory=list)

    def start(self, leg: LegId, policy: AmdPolicy) -> _Scripted:
        now = self.clock.now()
        self.started.append((leg, policy))
        pending = []
        for after, make in self.script:
            at = now + timedelta(seconds=after)
            pending.append((at, make(leg, at)))
        detection = _Scripted(self.clock, pending)
        self.detections.append(detection)
        return detection
