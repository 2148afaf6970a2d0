"""Inbound and outbound calls per local hour, by outcome (for a stacked bar chart)."""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime

from psycopg import sql

from campaigns.report_filter import ReportFilter
from campaigns.report_rows import HourlyCalls
from campaigns.storage.db import Connection
from campaigns.storage.reports.scope import campaign_condition, params

# Summed per UTC hour first, then shifted into the zone: one time-zone conversion per hour and
# outcome, not per rollup row. Merging and ordering happen in Python (cheaper than a second
# aggregate and a collated sort here).
_QUERY = """
SELECT hour AT TIME ZONE %(tz)s, 'outbound', outcome, calls FROM (
    SELECT r.hour, r.outcome, sum(r.attempts) AS calls
    FROM report_attempt_hours r
    WHERE r.hour >= %(start)s AND r.hour < %(end)s AND {campaigns}
    GROUP BY 1, 2
) AS outbound
UNION ALL
SELECT hour AT TIME ZONE %(tz)s, 'inbound', outcome, calls FROM (
    SELECT r.hour, r.outcome, sum(r.calls) AS calls
    FROM report_inbound_hours r
    WHERE r.hour >= %(start)s AND r.hour < %(end)s AND ({all_queues} OR r.queue_id IN (
        SELECT q.id FROM inbound_queues q WHERE {queue_campaigns}))
    GROUP BY 1, 2
) AS inbound
"""


def calls_per_hour(conn: Connection, report: ReportFilter) -> list[HourlyCalls]:
    query = sql.SQL(_QUERY).format(
        campaigns=campaign_condition(report),
        all_queues=sql.SQL("FALSE" if report.campaign_ids else "TRUE"),
        queue_campaigns=campaign_condition(report, "q.campaign_id"),
    )
    # The autumn clock change maps two UTC hours onto one local hour: they add up.
    totals: dict[tuple[datetime, str, str], int] = defaultdict(int)
    for hour, direction, outcome, calls in conn.execute(query, params(report)):
        totals[(hour, direction, outcome)] += int(calls)
    # Zero sums remain where a late update moved every call of a bucket elsewhere.
    return [HourlyCalls(*key, calls) for key, calls in sorted(totals.items()) if calls]
