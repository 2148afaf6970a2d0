"""Pacing: how many calls to place now. Pure, and the same code runs live and in the simulator.

The scheduler, per running campaign:
1. keeps a `StatisticsRecorder` fed by events: `ringing_ended(seconds_since_dial, live=...)`
   when a dial stops ringing (live = a person the dialer will connect; machines, busy, no answer,
   AMD hang-ups are not live), `talk_ended(seconds)`, `wrap_up_ended(seconds)`, and for the
   campaign's inbound queues `inbound_talk_ended(seconds)`, `inbound_wrap_up_ended(seconds)`
   (agents serving inbound callers free up at that pace; the outbound figures stand in until
   a few have been seen). It persists
   `recorder.snapshot().to_json()` (Redis) and restores with
   `StatisticsRecorder(PacingStatistics.from_json(text))`; after a loss it replays recent attempt
   rows from Postgres into a fresh recorder. Every minute: `recorder.decay(60)` then
   `model = PacingModel.from_statistics(recorder.snapshot())` (a few ms; decide() only indexes it).
2. every tick (~1 s) and on agent-free and call-ended events builds `PacingInputs`: `now`
   (monotonic seconds), `AgentFloor.of(AgentObservation(..., inbound=...))` (`inbound`: the
   agent holds an inbound caller), `CallsInFlight.of(...)` (ringing
   and answered-waiting calls only), free worker lines, the cps allowance left this second,
   `AbandonmentCounts` (day and rolling 30 days, plus the live answers expected in the next hour
   of today's schedule), `InboundDemand` (callers waiting in the campaign's inbound queues and
   their arrival rate: they take agents first), the `ControllerState` returned by the previous
   decision (start with `ControllerState.initial(policy)`: it also carries when pacing last
   turned predictive, from which the risk limit ramps up over `policy.ramp_seconds`), and the
   model;
3. calls `decide(inputs, policy)`, places `decision.calls`, keeps `decision.controller`, and shows
   `decision.reason` and `decision.alarms` to supervisors.
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
    InboundDemand,
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
    "InboundDemand",
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
