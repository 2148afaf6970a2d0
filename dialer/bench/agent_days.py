"""One synthetic agent shift: ready -> reserved -> on call -> wrap-up cycles with pauses.

Times are float seconds since the epoch (UTC). Each on-call interval is a call the generator turns
into a connected outbound attempt or an answered inbound call, so agent time and calls agree.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

# Scheduled pauses: (hours into the shift, reason, minutes).
PAUSE_PLAN = ((2.0, "break", 15), (4.0, "lunch", 30), (6.0, "break", 15))
OCCASIONAL_PAUSES = (("training", 20), ("meeting", 15), ("personal", 5))


@dataclass(frozen=True)
class StateSpan:
    state: str
    reason: str | None
    started: float
    ended: float
    call: int | None  # index into AgentDay.calls for reserved/on_call/wrap_up


@dataclass(frozen=True)
class HandledCall:
    answered: float  # the customer answered; the agent is reserved from here
    connected: float  # agent bridged (answered + under 2 s)
    hung_up: float
    wrapped: float  # wrap-up over, disposition given


@dataclass(frozen=True)
class AgentDay:
    spans: list[StateSpan]
    calls: list[HandledCall]


@dataclass(frozen=True)
class Workload:
    idle_mean_s: float
    talk_median_s: float
    wrap_max_s: float


def simulate_shift(rng: random.Random, start: float, end: float, load: Workload) -> AgentDay:
    spans: list[StateSpan] = []
    calls: list[HandledCall] = []
    pauses = [(start + hours * 3600, reason, minutes * 60) for hours, reason, minutes in PAUSE_PLAN]
    if rng.random() < 0.2:
        reason, minutes = rng.choice(OCCASIONAL_PAUSES)
        pauses.append((start + rng.uniform(1, 7) * 3600, reason, minutes * 60))
    pauses.sort()
    t = start + rng.uniform(0, 300)
    while t < end:
        if pauses and t >= pauses[0][0]:
            _, reason, seconds = pauses.pop(0)
            length = seconds * rng.uniform(0.8, 1.3)
            spans.append(StateSpan("paused", reason, t, t + length, None))
            t += length
            continue
        idle = rng.expovariate(1 / load.idle_mean_s)
        spans.append(StateSpan("ready", None, t, t + idle, None))
        answered = t + idle
        connected = answered + rng.uniform(0.2, 1.6)
        hung_up = connected + max(5.0, rng.lognormvariate(0, 0.8) * load.talk_median_s)
        wrapped = hung_up + rng.uniform(3, load.wrap_max_s)
        index = len(calls)
        calls.append(HandledCall(answered, connected, hung_up, wrapped))
        spans.append(StateSpan("reserved", None, answered, connected, index))
        spans.append(StateSpan("on_call", None, connected, hung_up, index))
        spans.append(StateSpan("wrap_up", None, hung_up, wrapped, index))
        t = wrapped
    return AgentDay(spans, calls)
