"""Best time to call: live-answer rate by local weekday and hour of day."""

from __future__ import annotations

from psycopg import sql

from campaigns.attempt import NOT_DIALED_OUTCOMES
from campaigns.report_filter import ReportFilter
from campaigns.report_metrics import ratio
from campaigns.report_rows import HourWeekdayRate
from campaigns.storage.db import Connection
from campaigns.storage.reports.scope import (
    LIVE_AND_ABANDONED,
    campaign_condition,
    params,
)

_QUERY = """
WITH hours AS (
    SELECT r.hour, sum(r.attempts) FILTER (WHERE r.outcome <> ALL(%(undialed)s)) AS dials,
           {live_and_abandoned}
    FROM report_attempt_hours r
    WHERE r.hour >= %(start)s AND r.hour < %(end)s AND {campaigns}
    GROUP BY 1
)
SELECT extract(isodow FROM hour AT TIME ZONE %(tz)s)::int AS weekday,
       extract(hour FROM hour AT TIME ZONE %(tz)s)::int AS local_hour,
       sum(dials), sum(live_answers)
FROM hours
GROUP BY 1, 2
ORDER BY 1, 2
"""


def best_time_to_call(conn: Connection, report: ReportFilter) -> list[HourWeekdayRate]:
    query = sql.SQL(_QUERY).format(
        live_and_abandoned=LIVE_AND_ABANDONED,
        campaigns=campaign_condition(report),
    )
    undialed = sorted(str(o) for o in NOT_DIALED_OUTCOMES)
    rows = conn.execute(query, params(report, undialed=undialed)).fetchall()
    result = []
    for weekday, hour, dials_sum, live_sum in rows:
        dials, live = int(dials_sum or 0), int(live_sum or 0)
        if dials:
            result.append(HourWeekdayRate(weekday, hour, dials, live, ratio(live, dials)))
    return result
