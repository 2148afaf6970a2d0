"""`decide()`: how many calls to place now. Pure: everything it needs is in `PacingInputs`."""

from __future__ import annotations

import math
from dataclasses import dataclass, field, replace

import numpy as np

from dialer.pacing import controller
from dialer.pacing.model import PacingModel
from dialer.pacing.observations import AbandonmentCounts, AgentFloor, CallsInFlight, InboundDemand
from dialer.pacing.policy import (
    Alarm,
    ControllerState,
    DecisionReason,
    PacingDecision,
    PacingPolicy,
    PolicyKind,
)
from dialer.pacing.risk import Balance

# 2.5 x 2 agents must be 5 calls even when the float product is 4.999...
_RATIO_SLACK = 1e-9


@dataclass(frozen=True, eq=False)
class PacingInputs:
    """One campaign's state at `now` (seconds on any clock that only moves forward)."""

    now: float
    agents: AgentFloor
    calls: CallsInFlight
    # worker lines not in use by any call
    free_lines: int
    # calls the calls-per-second limits allow to start now
    dial_allowance: int
    abandonment: AbandonmentCounts
    controller: ControllerState
    # None until statistics exist (a new campaign): pacing stays progressive
    model: PacingModel | None = None
    inbound: InboundDemand = field(default_factory=InboundDemand)

    @property
    def ready_for_outbound(self) -> int:
        """Idle agents left once the waiting inbound callers, who come first, have theirs."""
        return max(0, self.agents.ready - self.inbound.waiting)


def progressive_calls(inputs: PacingInputs) -> int:
    """One call per idle agent: never more calls that may need an agent than idle agents (those
    that waiting inbound callers will take are not idle for outbound calls)."""
    return max(0, inputs.ready_for_outbound - inputs.calls.count)


def amd_false_positive_rate(inputs: PacingInputs, policy: PacingPolicy) -> float:
    """The share of people AMD hangs up on: the policy's figure (the simulator's scenarios) or
    the estimate from the campaign's dispositions in its abandonment counts, whichever is higher."""
    estimated = inputs.abandonment.amd_false_positive_share(policy.alarm_after_live_answers)
    return max(policy.amd_false_positive_rate, estimated)


def alarms(inputs: PacingInputs, policy: PacingPolicy) -> tuple[Alarm, ...]:
    raised: list[Alarm] = []
    if amd_false_positive_rate(inputs, policy) >= policy.abandon_cap:
        raised.append(Alarm.AMD_FALSE_POSITIVES_ABOVE_CAP)
    rate, live = controller.measured_rate(inputs.abandonment, policy)
    if rate > policy.abandon_cap and live >= policy.alarm_after_live_answers:
        raised.append(Alarm.ABANDONMENT_ABOVE_CAP)
    return tuple(raised)


def _fallback(inputs: PacingInputs, policy: PacingPolicy, brake: float) -> DecisionReason | None:
    """Why predictive must dial progressively now, if it must."""
    if amd_false_positive_rate(inputs, policy) >= policy.abandon_cap:
        return DecisionReason.CAP_UNREACHABLE
    if inputs.model is None or inputs.model.completed_talks < policy.warmup_talks:
        return DecisionReason.WARMING_UP
    if inputs.agents.working < policy.min_agents:
        return DecisionReason.TOO_FEW_AGENTS
    if brake <= 0.0:
        return DecisionReason.NEAR_CAP
    return None


def decide(inputs: PacingInputs, policy: PacingPolicy) -> PacingDecision:
    raised = alarms(inputs, policy)
    state = inputs.controller
    if policy.kind is PolicyKind.PREDICTIVE:
        state = controller.adjust(state, inputs.abandonment, policy, inputs.now)
    limit = min(inputs.free_lines, inputs.dial_allowance)
    floor = min(progressive_calls(inputs), max(limit, 0))
    if limit <= 0:
        return PacingDecision(0, DecisionReason.NO_LINES, raised, state)
    if policy.kind is PolicyKind.PROGRESSIVE:
        return PacingDecision(floor, DecisionReason.PROGRESSIVE, raised, state)
    if policy.kind is PolicyKind.FIXED_RATIO:
        in_flight = math.floor(policy.ratio * inputs.ready_for_outbound + _RATIO_SLACK)
        wanted = in_flight - inputs.calls.count
        calls = min(max(wanted, floor), limit)
        return PacingDecision(calls, DecisionReason.FIXED_RATIO, raised, state)
    brake = controller.brake(inputs.abandonment, policy)
    reason = _fallback(inputs, policy, brake)
    if reason is not None or inputs.model is None:
        # the next switch to predictive ramps up again
        state = replace(state, predictive_since=None)
        return PacingDecision(floor, reason or DecisionReason.WARMING_UP, raised, state)
    if state.predictive_since is None:
        state = replace(state, predictive_since=inputs.now)
    ramp = controller.ramp(state, policy, inputs.now)
    # whole seconds, rounded down: a 1.2 s wait is counted as 1 s (the safe side)
    wait = int(policy.max_wait_seconds)
    balance = Balance.of(inputs.model, inputs.agents, inputs.calls, wait, inputs.inbound)
    calls, risk = balance.most_calls_within(state.risk_limit * brake * ramp, floor, limit)
    call_risks = tuple(balance.risks(np.arange(1, calls + 1)).tolist()) if calls else ()
    return PacingDecision(calls, DecisionReason.PREDICTIVE, raised, state, risk, call_risks)
