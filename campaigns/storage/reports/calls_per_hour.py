"""Inbound and outbound calls per local hour, by outcome (for a stacked bar chart)."""

from __future__ import annotations

from psycopg import sql

from campaigns.report_filter import ReportFilter
from campaigns.report_rows import HourlyCalls
from campaigns.storage.db import Connection
from campaigns.storage.reports.scope import campaign_condition, params

# Summed per UTC hour first, then shifted into the zone: one time-zone conversion per hour, not
# per rollup row. The autumn DST change maps two UTC hours onto one local hour: they add up.
_QUERY = """
WITH outbound AS (
    SELECT r.hour, r.outcome, sum(r.attempts) AS calls
    FROM report_attempt_hours r
    WHERE r.hour >= %(start)s AND r.hour < %(end)s AND {campaigns}
    GROUP BY 1, 2
), inbound AS (
    SELECT r.hour, r.outcome, sum(r.calls) AS calls
    FROM report_inbound_hours r
    WHERE r.hour >= %(start)s AND r.hour < %(end)s AND ({all_queues} OR r.queue_id IN (
        SELECT q.id FROM inbound_queues q WHERE {queue_campaigns}))
    GROUP BY 1, 2
)
SELECT hour AT TIME ZONE %(tz)s, direction, outcome, sum(calls)
FROM (SELECT *, 'outbound' AS direction FROM outbound
      UNION ALL SELECT *, 'inbound' FROM inbound) AS calls
GROUP BY 1, 2, 3
ORDER BY 1, 2, 3
"""


def calls_per_hour(conn: Connection, report: ReportFilter) -> list[HourlyCalls]:
    query = sql.SQL(_QUERY).format(
        campaigns=campaign_condition(report),
        all_queues=sql.SQL("FALSE" if report.campaign_ids else "TRUE"),
        queue_campaigns=campaign_condition(report, "q.campaign_id"),
    )
    rows = conn.execute(query, params(report)).fetchall()
    # Zero sums remain where a late update moved every call of a bucket elsewhere.
    return [HourlyCalls(hour, kind, outcome, int(n)) for hour, kind, outcome, n in rows if n]
