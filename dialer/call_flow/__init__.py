"""The outbound call attempt: a pure state machine (``machine``) and its driver (``driver``)."""

from dialer.call_flow.driver import run_attempt
from dialer.call_flow.machine import AttemptState, final_outcome, start, transition
from dialer.call_flow.model import (
    AgentRef,
    AgentRelease,
    AttemptResult,
    AttemptSpec,
    AttemptSpecError,
    HandoffPolicy,
    Milestone,
    Phase,
    Timeline,
    Timer,
)
from dialer.call_flow.ports import AgentClaimer, AttemptReporter, Clock, NoAgents, SystemClock

__all__ = [
    "AgentClaimer",
    "AgentRef",
    "AgentRelease",
    "AttemptReporter",
    "AttemptResult",
    "AttemptSpec",
    "AttemptSpecError",
    "AttemptState",
    "Clock",
    "HandoffPolicy",
    "Milestone",
    "NoAgents",
    "Phase",
    "SystemClock",
    "Timeline",
    "Timer",
    "final_outcome",
    "run_attempt",
    "start",
    "transition",
]
