"""Pure derivations of report figures from the rows the queries return (no SQL, no clock)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from datetime import date, timedelta

from campaigns.attempt import Outcome
from campaigns.report_metrics import ANSWERED_OUTCOMES, UNDIALED_OUTCOMES, ratio
from campaigns.report_rows import (
    AgentPause,
    AgentPerformance,
    AgentTotals,
    DailyAbandonment,
    DailyLiveAnswers,
    FunnelStage,
    ListPenetration,
    ListStateCount,
    OutcomeCount,
)
from campaigns.rules import RULE_SETS, RuleSetName

CONTACT_STATES = ("dialable", "in_flight", "callback", "done", "exhausted", "dnc")


def rolling_abandonment(
    daily: Iterable[DailyLiveAnswers],
    days: Sequence[date],
    campaigns: Mapping[int, tuple[str, str, float]],
) -> list[DailyAbandonment]:
    """Per campaign and shown day: the day's rate and the rate over the rule set's window ending
    that day. `daily` must reach back window-1 days before the first shown day; `campaigns` maps
    id -> (name, rule set, abandonment target). Days without calls count as zero, not as gaps."""
    counts: dict[tuple[int, date], tuple[int, int]] = {}
    for row in daily:
        counts[(row.campaign_id, row.day)] = (row.live_answers, row.abandoned)
    result = []
    for campaign_id, (name, rule_set, target) in sorted(campaigns.items()):
        rules = RULE_SETS[RuleSetName(rule_set)]
        window = rules.abandon_window_days
        for day in days:
            live, abandoned = counts.get((campaign_id, day), (0, 0))
            rolling_live = rolling_abandoned = 0
            for back in range(window):
                past = counts.get((campaign_id, day - timedelta(days=back)), (0, 0))
                rolling_live += past[0]
                rolling_abandoned += past[1]
            result.append(
                DailyAbandonment(
                    campaign_id=campaign_id,
                    campaign_name=name,
                    day=day,
                    live_answers=live,
                    abandoned=abandoned,
                    rate=ratio(abandoned, live),
                    window_days=window,
                    rolling_live_answers=rolling_live,
                    rolling_abandoned=rolling_abandoned,
                    rolling_rate=ratio(rolling_abandoned, rolling_live),
                    cap=rules.abandon_cap,
                    target=target,
                )
            )
    return result


def funnel(outcomes: Iterable[OutcomeCount]) -> list[FunnelStage]:
    """Dials -> answered (by anyone) -> connected to an agent -> given a disposition."""
    dials = answered = connected = disposed = 0
    for row in outcomes:
        outcome = Outcome(row.outcome)
        if outcome not in UNDIALED_OUTCOMES:
            dials += row.attempts
        if outcome in ANSWERED_OUTCOMES:
            answered += row.attempts
        if outcome is Outcome.CONNECTED:
            connected += row.attempts
            if row.disposition:
                disposed += row.attempts
    stages = [("dials", dials), ("answered", answered), ("connected", connected)]
    stages.append(("dispositioned", disposed))
    return [FunnelStage(stage, calls, ratio(calls, dials)) for stage, calls in stages]


def agent_performance(
    totals: Iterable[AgentTotals], pauses: Iterable[AgentPause]
) -> list[AgentPerformance]:
    """One row per agent with occupancy and AHT (see report_metrics for the formulas)."""
    by_reason: dict[int, dict[str, float]] = defaultdict(lambda: defaultdict(float))
    for pause in pauses:
        by_reason[pause.agent_id][pause.reason] += pause.seconds
    result = []
    for row in sorted(totals, key=lambda r: r.agent_id):
        handling = row.talk_s + row.wrap_s + row.reserved_s
        reasons = by_reason.get(row.agent_id, {})
        result.append(
            AgentPerformance(
                agent_id=row.agent_id,
                agent_name=row.agent_name,
                calls_handled=row.calls,
                talk_s=row.talk_s,
                wrap_s=row.wrap_s,
                reserved_s=row.reserved_s,
                idle_s=row.ready_s,
                pause_s=row.paused_s,
                pause_by_reason=tuple(
                    sorted(
                        ((r, s) for r, s in reasons.items() if s),
                        key=lambda item: (-item[1], item[0]),
                    )
                ),
                occupancy=ratio(handling, handling + row.ready_s),
                aht_s=ratio(row.talk_s + row.wrap_s, row.calls),
            )
        )
    return result


def list_penetration(counts: Iterable[ListStateCount]) -> list[ListPenetration]:
    """Per list: contacts, how many were tried at least once, and contacts by state."""
    by_list: dict[int, list[ListStateCount]] = defaultdict(list)
    for row in counts:
        by_list[row.list_id].append(row)
    result = []
    for list_id in sorted(by_list):
        rows = by_list[list_id]
        total = sum(r.contacts for r in rows)
        attempted = sum(r.contacts for r in rows if r.attempts > 0)
        states: dict[str, int] = defaultdict(int)
        for r in rows:
            states[r.state] += r.contacts
        result.append(
            ListPenetration(
                list_id=list_id,
                list_name=rows[0].list_name,
                campaign_id=rows[0].campaign_id,
                contacts=total,
                attempted=attempted,
                penetration=ratio(attempted, total),
                by_state=tuple((s, states.get(s, 0)) for s in CONTACT_STATES),
                average_attempts=ratio(sum(r.contacts * r.attempts for r in rows), total),
            )
        )
    return result
