"""The rows reports return: frozen dataclasses, one per line of a report's table.

Hours and days are local to the report's time zone (naive datetimes / dates). Rates are None when
their denominator is zero, so that "no calls" never reads as "0 % abandoned".
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime


@dataclass(frozen=True)
class HourlyCalls:
    hour: datetime
    direction: str  # "outbound" or "inbound"
    outcome: str
    calls: int


@dataclass(frozen=True)
class DailyLiveAnswers:
    """One campaign's live answers and abandoned ones on one local day (AMD false positives in)."""

    campaign_id: int
    day: date
    live_answers: int
    abandoned: int


@dataclass(frozen=True)
class DailyAbandonment:
    campaign_id: int
    campaign_name: str
    day: date
    live_answers: int
    abandoned: int
    rate: float | None
    window_days: int
    rolling_live_answers: int
    rolling_abandoned: int
    rolling_rate: float | None
    cap: float
    target: float


@dataclass(frozen=True)
class OutcomeCount:
    outcome: str
    disposition: str  # "" when none was given
    disposition_label: str
    attempts: int


@dataclass(frozen=True)
class FunnelStage:
    stage: str
    calls: int
    share_of_dials: float | None


@dataclass(frozen=True)
class AgentTotals:
    """One agent's seconds per state over the report's range (from the agent rollup)."""

    agent_id: int
    agent_name: str
    calls: int
    talk_s: float
    wrap_s: float
    reserved_s: float
    ready_s: float
    paused_s: float


@dataclass(frozen=True)
class AgentPause:
    agent_id: int
    reason: str  # "" is a pause without a reason
    seconds: float


@dataclass(frozen=True)
class AgentPerformance:
    agent_id: int
    agent_name: str
    calls_handled: int
    talk_s: float
    wrap_s: float
    reserved_s: float
    idle_s: float
    pause_s: float
    # (reason, seconds), largest first; "" is a pause without a reason.
    pause_by_reason: tuple[tuple[str, float], ...]
    occupancy: float | None
    aht_s: float | None


@dataclass(frozen=True)
class ListStateCount:
    list_id: int
    list_name: str
    campaign_id: int
    state: str
    attempts: int
    contacts: int


@dataclass(frozen=True)
class ListPenetration:
    list_id: int
    list_name: str
    campaign_id: int
    contacts: int
    attempted: int
    penetration: float | None
    # (state, contacts) in the schema's order of states
    by_state: tuple[tuple[str, int], ...]
    average_attempts: float | None


@dataclass(frozen=True)
class HourWeekdayRate:
    weekday: int  # ISO: Monday 1 ... Sunday 7
    hour: int  # 0..23, local
    dials: int
    live_answers: int
    answer_rate: float | None


@dataclass(frozen=True)
class InboundHour:
    hour: datetime
    offered: int
    answered: int
    answered_in_threshold: int
    abandoned: int
    service_level: float | None
    asa_s: float | None
    abandon_rate: float | None


@dataclass(frozen=True)
class WallboardFigures:
    campaign_id: int
    campaign_name: str
    dials_15m: int
    answers_15m: int
    live_today: int
    abandoned_today: int
    rate_today: float | None
    window_days: int
    live_window: int
    abandoned_window: int
    rate_window: float | None
    cap: float
    target: float
