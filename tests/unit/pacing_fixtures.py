"""Inputs for the pacing tests: statistics learned from a short simulated history."""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from dialer.pacing import (
    AbandonmentCounts,
    AgentFloor,
    CallsInFlight,
    ControllerState,
    PacingInputs,
    PacingModel,
    PacingPolicy,
    PacingStatistics,
    StatisticsRecorder,
)


def learned_statistics(
    talks: int = 400, answer_rate: float = 0.3, seed: int = 7
) -> PacingStatistics:
    """What a recorder holds after `talks` talks of a list answering at `answer_rate`."""
    rng = np.random.default_rng(seed)
    recorder = StatisticsRecorder()
    for _ in range(int(talks / answer_rate)):
        ring = 2.0 + float(np.clip(rng.normal(8.0, 2.5), 1.0, 25.0))
        live = bool(rng.random() < answer_rate)
        recorder.ringing_ended(ring if live or rng.random() < 0.45 else 27.0, live=live)
    for _ in range(talks):
        recorder.talk_ended(float(rng.lognormal(4.85, 0.83)))
        recorder.wrap_up_ended(float(rng.lognormal(2.88, 0.47)))
    return recorder.snapshot()


MODEL = PacingModel.from_statistics(learned_statistics())
COLD_MODEL = PacingModel.from_statistics(learned_statistics(talks=10))


def ramped(policy: PacingPolicy) -> ControllerState:
    """A controller long past the ramp that follows warm-up (predictive since the clock's 0)."""
    return replace(ControllerState.initial(policy), predictive_since=0.0)


def inputs(
    *,
    ready: int = 0,
    on_call: tuple[float, ...] = (),
    wrap_up: tuple[float, ...] = (),
    ringing: tuple[float, ...] = (),
    waiting: int = 0,
    free_lines: int = 1000,
    dial_allowance: int = 1000,
    abandonment: AbandonmentCounts | None = None,
    model: PacingModel | None = MODEL,
    policy: PacingPolicy | None = None,
    now: float = 3600.0,
) -> PacingInputs:
    return PacingInputs(
        now=now,
        agents=AgentFloor(
            ready=ready,
            on_call_seconds=np.array(on_call, dtype=np.float64),
            wrap_up_seconds=np.array(wrap_up, dtype=np.float64),
        ),
        calls=CallsInFlight(ringing_seconds=np.array(ringing, dtype=np.float64), waiting=waiting),
        free_lines=free_lines,
        dial_allowance=dial_allowance,
        abandonment=abandonment or AbandonmentCounts(10, 1000, 10, 1000),
        controller=ramped(policy or PacingPolicy()),
        model=model,
    )
