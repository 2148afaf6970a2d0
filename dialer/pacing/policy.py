"""How a campaign wants to be paced, and what a pacing decision says."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

DEFAULT_ABANDON_TARGET = 0.025
DEFAULT_ABANDON_CAP = 0.03
# Below this many completed talks the learned durations are too few to bet on.
DEFAULT_WARMUP_TALKS = 30
# With fewer agents one early answer decides the minute: dial one call per idle agent.
DEFAULT_MIN_AGENTS = 3
# The rules' limit between a person's answer and an agent (or the abandonment message).
DEFAULT_MAX_WAIT_SECONDS = 2.0
DEFAULT_ALARM_AFTER_LIVE_ANSWERS = 100
DEFAULT_BRAKE_ABANDONS = 2.0
# After warm-up (or any fallback) the risk limit grows from nothing to the controller's over this
# long: the first predictive decisions bet on a model learned from a few dozen talks.
DEFAULT_RAMP_SECONDS = 120.0


class PolicyKind(StrEnum):
    PROGRESSIVE = "progressive"
    FIXED_RATIO = "fixed_ratio"
    PREDICTIVE = "predictive"


class AbandonWindow(StrEnum):
    DAY = "day"
    THIRTY_DAYS = "30_days"


class DecisionReason(StrEnum):
    PROGRESSIVE = "progressive"
    FIXED_RATIO = "fixed_ratio"
    PREDICTIVE = "predictive"
    WARMING_UP = "warming_up"
    TOO_FEW_AGENTS = "too_few_agents"
    NEAR_CAP = "near_cap"
    CAP_UNREACHABLE = "cap_unreachable"
    NO_LINES = "no_lines"


class Alarm(StrEnum):
    # a window's measured abandonment is above the cap
    ABANDONMENT_ABOVE_CAP = "abandonment_above_cap"
    # answering-machine detection hangs up on so many people that even one call per idle agent
    # abandons more than the cap: fix or switch off AMD, pacing cannot
    AMD_FALSE_POSITIVES_ABOVE_CAP = "amd_false_positives_above_cap"


@dataclass(frozen=True)
class ControllerTuning:
    """The integral controller that moves the per-call risk limit towards the day's target."""

    # where a day starts: the target itself (0.04 spent the warm-up's spare abandons too fast)
    initial_risk: float = DEFAULT_ABANDON_TARGET
    min_risk: float = 0.002
    max_risk: float = 0.5
    interval_seconds: float = 60.0
    # log(risk limit) per unit of surplus (abandons to spare over their Poisson noise)
    proportional_gain: float = 0.5
    # change of the base log(risk limit) per interval and unit of surplus
    integral_gain: float = 0.05
    # the most surplus (abandons to spare, in Poisson noise units) acted on: spent slowly
    spend_clip: float = 0.5


@dataclass(frozen=True)
class PacingPolicy:
    kind: PolicyKind = PolicyKind.PREDICTIVE
    # fixed ratio: calls in flight per ready agent
    ratio: float = 1.0
    abandon_target: float = DEFAULT_ABANDON_TARGET
    abandon_cap: float = DEFAULT_ABANDON_CAP
    windows: tuple[AbandonWindow, ...] = (AbandonWindow.DAY, AbandonWindow.THIRTY_DAYS)
    warmup_talks: int = DEFAULT_WARMUP_TALKS
    min_agents: int = DEFAULT_MIN_AGENTS
    max_wait_seconds: float = DEFAULT_MAX_WAIT_SECONDS
    # share of people that answering-machine detection wrongly hangs up on (measured by the
    # campaign's AMD checks); they count as abandoned whatever pacing does
    amd_false_positive_rate: float = 0.0
    # how close to the cap, in abandons, the risk limit starts to shrink towards progressive
    brake_abandons: float = DEFAULT_BRAKE_ABANDONS
    # how long, after pacing turns predictive, the risk limit takes to reach the controller's
    ramp_seconds: float = DEFAULT_RAMP_SECONDS
    # a window's first few answers (1 abandon in 30 is 3.3 %) say nothing worth an alarm
    alarm_after_live_answers: int = DEFAULT_ALARM_AFTER_LIVE_ANSWERS
    controller: ControllerTuning = field(default_factory=ControllerTuning)


@dataclass(frozen=True)
class ControllerState:
    """What the predictive policy carries from one decision to the next."""

    risk_limit: float
    adjusted_at: float | None = None
    # the integral part of the controller; `risk_limit` adds the proportional part
    base_risk_limit: float = 0.0
    # when pacing last turned predictive (None while it falls back to progressive): the ramp's start
    predictive_since: float | None = None

    @classmethod
    def initial(cls, policy: PacingPolicy) -> ControllerState:
        risk = policy.controller.initial_risk
        return cls(risk_limit=risk, base_risk_limit=risk)


@dataclass(frozen=True)
class PacingDecision:
    calls: int
    reason: DecisionReason
    alarms: tuple[Alarm, ...]
    # pass back in the next inputs
    controller: ControllerState
    # estimated chance that the last call placed finds no agent (0 when none is at risk)
    risk: float = 0.0
    # the same chance for each call placed, in order (predictive decisions only; empty when no
    # model was used): stored on the attempts, so what the model expected can be checked
    # against what happened (`dialer bench live-pacing`, the simulator's `abandons_expected`)
    call_risks: tuple[float, ...] = ()
