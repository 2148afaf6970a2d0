"""Outcome and disposition breakdown and the funnel built from it, over the campaigns' own
calendar days (the report's time zone does not apply)."""

from __future__ import annotations

from psycopg import sql

from campaigns.report_figures import funnel
from campaigns.report_filter import ReportFilter, Sort
from campaigns.report_rows import FunnelStage, OutcomeCount
from campaigns.storage.db import Connection
from campaigns.storage.reports.scope import campaign_condition, params

# The sort columns a request may name, each mapped to SQL we wrote (never to request text).
SORT_COLUMNS = {
    "attempts": sql.SQL("attempts"),
    "outcome": sql.SQL("outcome"),
    "disposition": sql.SQL("disposition"),
}
DEFAULT_SORT = Sort("attempts", descending=True)

_QUERY = """
SELECT r.outcome, r.disposition, coalesce(min(d.label), r.disposition) AS disposition_label,
       sum(r.attempts) AS attempts
FROM report_attempt_days r
LEFT JOIN dispositions d ON d.campaign_id = r.campaign_id AND d.code = r.disposition
WHERE r.day >= %(first_day)s AND r.day <= %(last_day)s AND {campaigns}
GROUP BY r.outcome, r.disposition
HAVING sum(r.attempts) <> 0
ORDER BY {order} {direction}, outcome, disposition
"""


def outcome_breakdown(
    conn: Connection, report: ReportFilter, sort: Sort = DEFAULT_SORT
) -> list[OutcomeCount]:
    query = sql.SQL(_QUERY).format(
        campaigns=campaign_condition(report),
        order=SORT_COLUMNS[sort.column],
        direction=sql.SQL("DESC" if sort.descending else "ASC"),
    )
    rows = conn.execute(query, params(report)).fetchall()
    return [OutcomeCount(str(o), str(d), str(label), int(n)) for o, d, label, n in rows]


def outcome_funnel(conn: Connection, report: ReportFilter) -> list[FunnelStage]:
    return funnel(outcome_breakdown(conn, report))
