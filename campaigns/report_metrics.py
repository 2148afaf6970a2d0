"""What the report figures mean: one definition per metric, shared by the queries and the pages.

Answer rate
    Live answers / dials. A dial is an attempt that placed a call (every ended attempt but
    `expired`, which never left the queue). A live answer is a person: `connected` or `abandoned`,
    plus AMD false positives. Machine answers are not live answers, nor is a machine an agent
    took (connected, dispositioned as nobody there: a disposition whose `human` flag is off).
Abandonment rate (COMPLIANCE.md)
    Abandoned live answers / live answers. Machine-answered, busy and unanswered calls are not in
    the denominator, nor is a call an agent took and dispositioned as a machine or nobody there. A
    person that answering-machine detection hung up on counts as abandoned (an AMD false
    positive: AMD said machine and the call's disposition says a human was there), in the
    numerator and the denominator. Measured per campaign over the rule set's window: 30 days
    rolling for US, CA and custom rule sets, per day for UK.
Occupancy
    Handling time / (handling time + available time), where handling is talk (on a call), wrap-up
    and reserved (being rung for a call) and available is ready (idle). Pauses and logged-out time
    are in neither.
Average handle time (AHT)
    (Talk + wrap-up) / calls handled; a call handled is one on-call interval of an agent.
Service level (inbound)
    Inbound calls answered in under Y seconds / calls offered, where offered is every inbound call
    that reached a queue (answered, abandoned in queue, sent to voicemail or to a callback), not
    calls rejected at the door. Y is a multiple of 5 s up to 300 s.
Average speed of answer (ASA, inbound)
    Total queue wait of answered calls / answered calls.
Inbound abandonment
    Callers who hung up while queued / calls offered.

Days and hours
    Day-based figures (abandonment, outcomes, the funnel, agent performance, the wallboard) count
    each campaign's own calendar days, in the campaign's time zone, as the rules do. Hour-based
    figures (calls per hour, best time to call, inbound per hour) are UTC hours shown in the
    viewer's time zone: exact for zones with whole-hour offsets, shifted by the offset's minutes
    for others (e.g. India's +05:30).
"""

from __future__ import annotations

from dataclasses import dataclass

from campaigns.attempt import LIVE_ANSWER_OUTCOMES, NOT_DIALED_OUTCOMES, Outcome


@dataclass(frozen=True)
class MetricDefinition:
    name: str
    definition: str


DEFINITIONS: tuple[MetricDefinition, ...] = (
    MetricDefinition(
        "Answer rate",
        "Live answers / dials. A dial is an attempt that placed a call (every ended attempt "
        "except those that expired in the queue); a live answer is a person reached (connected or "
        "abandoned, plus AMD false positives). Machine answers are not live answers.",
    ),
    MetricDefinition(
        "Abandonment rate",
        "Abandoned live answers / live answers, per campaign. Machine-answered, busy and "
        "unanswered calls are not in the denominator, nor are calls an agent took and "
        "dispositioned as a machine or nobody there. A person that answering-machine detection "
        "hung up on (AMD said machine, the disposition says a human) counts as abandoned. The "
        "rolling rate covers the rule set's window: 30 days for US, CA and custom, one day for UK.",
    ),
    MetricDefinition(
        "Occupancy",
        "(Talk + wrap-up + reserved) / (talk + wrap-up + reserved + ready). Pauses and logged-out "
        "time count in neither part.",
    ),
    MetricDefinition(
        "AHT (average handle time)",
        "(Talk + wrap-up) / calls handled; a call handled is one on-call interval of an agent.",
    ),
    MetricDefinition(
        "Service level",
        "Inbound calls answered in under Y seconds / calls offered (answered, abandoned in queue, "
        "voicemail and callback; calls rejected at the door are not offered).",
    ),
    MetricDefinition(
        "ASA (average speed of answer)",
        "Total queue wait of answered inbound calls / answered inbound calls.",
    ),
    MetricDefinition(
        "Inbound abandonment",
        "Callers who hung up while queued / inbound calls offered.",
    ),
    MetricDefinition(
        "Days and hours",
        "Day-based figures (abandonment, outcomes, funnel, agent performance) count each "
        "campaign's own calendar days in its time zone, as the rules do. Hour-based figures "
        "(calls per hour, best time to call, inbound) use the time zone chosen in the filter.",
    ),
)

# Answered by anything, a person or a machine: the funnel's second stage.
ANSWERED_OUTCOMES = frozenset(
    {Outcome.CONNECTED, Outcome.ABANDONED, Outcome.ANSWERED, Outcome.MACHINE}
)
LIVE_OUTCOMES = LIVE_ANSWER_OUTCOMES
UNDIALED_OUTCOMES = NOT_DIALED_OUTCOMES

# Service-level thresholds the inbound rollup can answer exactly (its waits are in 5 s steps).
SERVICE_LEVEL_STEP_S = 5
MAX_SERVICE_LEVEL_S = 300
DEFAULT_SERVICE_LEVEL_S = 20


def ratio(part: float, whole: float) -> float | None:
    """part / whole, or None when there is nothing to divide by (shown as "-", never as 0 %)."""
    return part / whole if whole else None


def valid_service_level_threshold(seconds: int) -> bool:
    return 0 < seconds <= MAX_SERVICE_LEVEL_S and seconds % SERVICE_LEVEL_STEP_S == 0
