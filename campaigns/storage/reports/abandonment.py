"""Abandonment per day and over each campaign's rule-set window, against the cap and target."""

from __future__ import annotations

from datetime import timedelta

from psycopg import sql

from campaigns.report_figures import rolling_abandonment
from campaigns.report_filter import ReportFilter
from campaigns.report_rows import DailyAbandonment, DailyLiveAnswers
from campaigns.rules import RULE_SETS
from campaigns.storage.db import Connection
from campaigns.storage.reports.scope import (
    LIVE_AND_ABANDONED,
    LIVE_ROWS,
    campaign_condition,
    params,
)

# Days are each campaign's own calendar days (its time zone), as the rules count them.
_DAILY = """
SELECT r.campaign_id, r.day, {live_and_abandoned}
FROM report_attempt_days r
WHERE r.day >= %(history_start)s AND r.day <= %(last_day)s AND {campaigns} AND {live_rows}
GROUP BY 1, 2
"""

_CAMPAIGNS = """
SELECT c.id, c.name, c.rule_set, c.abandon_target FROM campaigns c WHERE {campaigns}
"""

LONGEST_WINDOW_DAYS = max(rules.abandon_window_days for rules in RULE_SETS.values())


def abandonment_per_day(conn: Connection, report: ReportFilter) -> list[DailyAbandonment]:
    """One row per campaign and day of the range (days without calls included), days being the
    campaign's own calendar days: the report's time zone does not apply."""
    history_start = report.first_day - timedelta(days=LONGEST_WINDOW_DAYS - 1)
    query = sql.SQL(_DAILY).format(
        live_and_abandoned=LIVE_AND_ABANDONED,
        live_rows=LIVE_ROWS,
        campaigns=campaign_condition(report),
    )
    rows = conn.execute(query, params(report, history_start=history_start)).fetchall()
    daily = [
        DailyLiveAnswers(int(c), day, int(live or 0), int(abandoned or 0))
        for c, day, live, abandoned in rows
    ]
    listed = conn.execute(
        sql.SQL(_CAMPAIGNS).format(campaigns=campaign_condition(report, "c.id")), params(report)
    ).fetchall()
    campaigns = {int(i): (str(n), str(rule_set), float(t)) for i, n, rule_set, t in listed}
    return rolling_abandonment(daily, report.days(), campaigns)
