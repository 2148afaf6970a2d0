"""Every report the pages offer: its query, its charts and its CSV columns, by slug.

The slug in the URL is looked up here (an allow-list), never used to build anything.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from campaigns.report_figures import funnel, list_penetration
from campaigns.report_filter import ReportFilter, Sort
from campaigns.report_rows import AgentPerformance, ListPenetration, OutcomeCount
from campaigns.storage.db import Connection
from campaigns.storage.reports import agents, outcomes
from campaigns.storage.reports.abandonment import abandonment_per_day
from campaigns.storage.reports.best_time import best_time_to_call
from campaigns.storage.reports.calls_per_hour import calls_per_hour
from campaigns.storage.reports.inbound import inbound_per_hour
from campaigns.storage.reports.lists import list_state_counts
from dashboard.charts.abandonment import abandonment_figure
from dashboard.charts.agents import agent_table_figure, agent_time_figure
from dashboard.charts.best_time import best_time_figure
from dashboard.charts.calls import calls_per_hour_figure
from dashboard.charts.inbound import inbound_figure
from dashboard.charts.lists import list_penetration_figure
from dashboard.charts.outcomes import funnel_figure, outcome_figure
from dashboard.charts.style import Figure


@dataclass(frozen=True)
class Options:
    """Per-report choices besides the filter, already validated."""

    sort: Sort | None = None
    threshold_s: int = 20


@dataclass(frozen=True)
class Report:
    slug: str
    title: str
    summary: str
    run: Callable[[Connection, ReportFilter, Options], Sequence[Any]]
    figures: Callable[[Sequence[Any], Options], list[Figure]]
    csv_header: tuple[str, ...]
    csv_row: Callable[[Any], Sequence[object]]
    sort_columns: tuple[str, ...] = ()
    default_sort: Sort | None = None
    uses_dates: bool = True
    uses_threshold: bool = False
    metrics: tuple[str, ...] = field(default_factory=tuple)
    uses_zone: bool = False  # hour-based: the filter's time zone applies
    # The API's values where a CSV cell flattens them (default: the CSV row's values).
    json_row: Callable[[Any], Sequence[object]] | None = None

    def record(self, row: Any) -> dict[str, object]:
        """One row for the JSON API, keyed by the CSV's column names."""
        values = (self.json_row or self.csv_row)(row)
        return dict(zip(self.csv_header, values, strict=True))


def _outcomes(conn: Connection, report: ReportFilter, options: Options) -> list[OutcomeCount]:
    return outcomes.outcome_breakdown(conn, report, options.sort or outcomes.DEFAULT_SORT)


def _outcome_figures(rows: Sequence[OutcomeCount], _: Options) -> list[Figure]:
    # The funnel is derived from the same rows: one query for both charts.
    return [funnel_figure(funnel(rows)), outcome_figure(rows)]


def _lists(conn: Connection, report: ReportFilter, _: Options) -> list[ListPenetration]:
    return list_penetration(list_state_counts(conn, report))


def _agent_values(r: AgentPerformance) -> tuple[object, ...]:
    return (
        r.agent_name,
        r.calls_handled,
        round(r.talk_s, 1),
        round(r.wrap_s, 1),
        round(r.reserved_s, 1),
        round(r.idle_s, 1),
        round(r.pause_s, 1),
        {k or "none": round(s, 1) for k, s in r.pause_by_reason},
        r.occupancy,
        r.aht_s,
    )


def _cell(value: object) -> object:
    """A CSV cell: pauses by reason flattened to `lunch=600.0; none=300.0`."""
    if isinstance(value, dict):
        return "; ".join(f"{k}={v}" for k, v in value.items())
    return value


REPORTS: dict[str, Report] = {
    report.slug: report
    for report in (
        Report(
            "calls",
            "Calls per hour",
            "Outbound attempts and inbound calls per hour of the report's time zone, by outcome.",
            lambda conn, f, _: calls_per_hour(conn, f),
            lambda rows, _: [calls_per_hour_figure(rows)],
            ("hour", "direction", "outcome", "calls"),
            lambda r: (r.hour, r.direction, r.outcome, r.calls),
            uses_zone=True,
        ),
        Report(
            "abandonment",
            "Abandonment",
            "Abandoned live answers per day and over each campaign's rule-set window, against the "
            "cap and the campaign's target.",
            lambda conn, f, _: abandonment_per_day(conn, f),
            lambda rows, _: [abandonment_figure(rows)],
            (
                "campaign",
                "day",
                "live_answers",
                "abandoned",
                "rate",
                "window_days",
                "rolling_live_answers",
                "rolling_abandoned",
                "rolling_rate",
                "cap",
                "target",
            ),
            lambda r: (
                r.campaign_name,
                r.day,
                r.live_answers,
                r.abandoned,
                r.rate,
                r.window_days,
                r.rolling_live_answers,
                r.rolling_abandoned,
                r.rolling_rate,
                r.cap,
                r.target,
            ),
            metrics=("Abandonment rate",),
        ),
        Report(
            "outcomes",
            "Outcomes and funnel",
            "Ended attempts by outcome and disposition, and the funnel from dials to dispositions.",
            _outcomes,
            _outcome_figures,
            ("outcome", "disposition", "disposition_label", "attempts"),
            lambda r: (r.outcome, r.disposition, r.disposition_label, r.attempts),
            sort_columns=tuple(outcomes.SORT_COLUMNS),
            default_sort=outcomes.DEFAULT_SORT,
            metrics=("Answer rate",),
        ),
        Report(
            "agents",
            "Agent performance",
            "Calls handled and time per state for each agent, with occupancy and AHT.",
            lambda conn, f, o: agents.agent_performance_report(
                conn, f, o.sort or agents.DEFAULT_SORT
            ),
            lambda rows, _: [agent_table_figure(rows), agent_time_figure(rows)],
            (
                "agent",
                "calls_handled",
                "talk_s",
                "wrap_s",
                "reserved_s",
                "idle_s",
                "pause_s",
                "pause_by_reason",
                "occupancy",
                "aht_s",
            ),
            lambda r: tuple(_cell(v) for v in _agent_values(r)),
            sort_columns=tuple(agents.SORT_KEYS),
            default_sort=agents.DEFAULT_SORT,
            metrics=("Occupancy", "AHT (average handle time)"),
            json_row=_agent_values,
        ),
        Report(
            "lists",
            "List penetration",
            "Contacts of each list by state, and the share tried at least once (the lists as "
            "they are now: the date range does not apply).",
            _lists,
            lambda rows, _: [list_penetration_figure(rows)],
            (
                "list_id",
                "list",
                "campaign_id",
                "contacts",
                "attempted",
                "penetration",
                "average_attempts",
                *(
                    f"state_{s}"
                    for s in ("dialable", "in_flight", "callback", "done", "exhausted", "dnc")
                ),
            ),
            lambda r: (
                r.list_id,
                r.list_name,
                r.campaign_id,
                r.contacts,
                r.attempted,
                r.penetration,
                r.average_attempts,
                *(n for _, n in r.by_state),
            ),
            uses_dates=False,
        ),
        Report(
            "best-time",
            "Best time to call",
            "Live-answer rate by weekday and hour of day in the report's time zone.",
            lambda conn, f, _: best_time_to_call(conn, f),
            lambda rows, _: [best_time_figure(rows)],
            ("weekday", "hour", "dials", "live_answers", "answer_rate"),
            lambda r: (r.weekday, r.hour, r.dials, r.live_answers, r.answer_rate),
            metrics=("Answer rate",),
            uses_zone=True,
        ),
        Report(
            "inbound",
            "Inbound service",
            "Inbound calls per hour: offered, answered, service level, average speed of answer "
            "and abandonment in queue, for the queues of the chosen campaigns.",
            lambda conn, f, o: inbound_per_hour(conn, f, o.threshold_s),
            lambda rows, o: [inbound_figure(rows, o.threshold_s)],
            (
                "hour",
                "offered",
                "answered",
                "answered_in_threshold",
                "abandoned",
                "service_level",
                "asa_s",
                "abandon_rate",
            ),
            lambda r: (
                r.hour,
                r.offered,
                r.answered,
                r.answered_in_threshold,
                r.abandoned,
                r.service_level,
                r.asa_s,
                r.abandon_rate,
            ),
            uses_threshold=True,
            uses_zone=True,
            metrics=("Service level", "ASA (average speed of answer)", "Inbound abandonment"),
        ),
    )
}
