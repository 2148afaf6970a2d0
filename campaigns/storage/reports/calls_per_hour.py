"""Inbound and outbound calls per local hour, by outcome (for a stacked bar chart)."""

from __future__ import annotations

from psycopg import sql

from campaigns.report_filter import ReportFilter
from campaigns.report_rows import HourlyCalls
from campaigns.storage.db import Connection
from campaigns.storage.reports.scope import campaign_condition, params

# Summed per UTC hour first, then shifted into the zone (one conversion per hour and outcome, not
# per rollup row) and summed again: the autumn clock change maps two UTC hours onto one local hour.
# The sort compares bytes (COLLATE "C"): outcome names are ASCII, and a locale-aware sort of a
# month of hours cost more than the aggregation.
_QUERY = """
SELECT hour AT TIME ZONE %(tz)s AS local_hour, direction, outcome, sum(calls) AS calls FROM (
    SELECT r.hour, 'outbound' AS direction, r.outcome, sum(r.attempts) AS calls
    FROM report_attempt_hours r
    WHERE r.hour >= %(start)s AND r.hour < %(end)s AND {campaigns}
    GROUP BY r.hour, r.outcome
    UNION ALL
    SELECT r.hour, 'inbound', r.outcome, sum(r.calls)
    FROM report_inbound_hours r
    WHERE r.hour >= %(start)s AND r.hour < %(end)s AND ({all_queues} OR r.queue_id IN (
        SELECT q.id FROM inbound_queues q WHERE {queue_campaigns}))
    GROUP BY r.hour, r.outcome
) AS hours
GROUP BY 1, 2, 3
HAVING sum(calls) <> 0
ORDER BY local_hour, direction COLLATE "C", outcome COLLATE "C"
"""


def calls_per_hour(conn: Connection, report: ReportFilter) -> list[HourlyCalls]:
    query = sql.SQL(_QUERY).format(
        campaigns=campaign_condition(report),
        all_queues=sql.SQL("FALSE" if report.campaign_ids else "TRUE"),
        queue_campaigns=campaign_condition(report, "q.campaign_id"),
    )
    rows = conn.execute(query, params(report)).fetchall()
    return [HourlyCalls(hour, direction, outcome, int(n)) for hour, direction, outcome, n in rows]
