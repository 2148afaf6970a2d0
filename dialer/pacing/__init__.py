"""Pacing: how many calls to place now. Pure, and the same code runs live and in the simulator.

The scheduler, every tick and on agent-free and call-ended events, per campaign:
1. keeps a `StatisticsRecorder` fed with ring ends, talks and wrap-ups (or loads one from the
   JSON of `PacingStatistics`), and every minute calls `decay(seconds)` and rebuilds the
   `PacingModel` from `snapshot()`;
2. builds `PacingInputs` (agents, calls in flight, free lines, cps allowance, abandonment counts,
   the `ControllerState` from the previous decision, the model);
3. calls `decide(inputs, policy)` and keeps `decision.controller` for the next call.
"""

from dialer.pacing.decide import PacingInputs, decide, progressive_calls
from dialer.pacing.model import PacingModel
from dialer.pacing.observations import (
    AbandonmentCounts,
    AgentFloor,
    AgentObservation,
    AgentState,
    CallObservation,
    CallPhase,
    CallsInFlight,
)
from dialer.pacing.policy import (
    AbandonWindow,
    Alarm,
    ControllerState,
    ControllerTuning,
    DecisionReason,
    PacingDecision,
    PacingPolicy,
    PolicyKind,
)
from dialer.pacing.statistics import PacingStatistics, StatisticsRecorder

__all__ = [
    "AbandonWindow",
    "AbandonmentCounts",
    "AgentFloor",
    "AgentObservation",
    "AgentState",
    "Alarm",
    "CallObservation",
    "CallPhase",
    "CallsInFlight",
    "ControllerState",
    "ControllerTuning",
    "DecisionReason",
    "PacingDecision",
    "PacingInputs",
    "PacingModel",
    "PacingPolicy",
    "PacingStatistics",
    "PolicyKind",
    "StatisticsRecorder",
    "decide",
    "progressive_calls",
]
