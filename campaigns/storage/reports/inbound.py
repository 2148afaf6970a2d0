"""Inbound per local hour: offered, answered, service level, ASA and abandonment in queue."""

from __future__ import annotations

from psycopg import sql

from campaigns.errors import ValidationError
from campaigns.report_filter import ReportFilter
from campaigns.report_metrics import (
    DEFAULT_SERVICE_LEVEL_S,
    SERVICE_LEVEL_STEP_S,
    ratio,
    valid_service_level_threshold,
)
from campaigns.report_rows import InboundHour
from campaigns.storage.db import Connection
from campaigns.storage.reports.scope import campaign_condition, params

# wait_step k holds waits in [5k, 5k + 5) s, so "under Y s" is exactly wait_step < Y / 5.
_QUERY = """
SELECT r.hour AT TIME ZONE %(tz)s AS hour,
       sum(r.calls) FILTER (WHERE r.outcome <> 'rejected') AS offered,
       sum(r.calls) FILTER (WHERE r.outcome = 'answered') AS answered,
       sum(r.calls) FILTER (WHERE r.outcome = 'answered' AND r.wait_step < %(steps)s) AS in_time,
       sum(r.calls) FILTER (WHERE r.outcome = 'abandoned') AS abandoned,
       sum(r.wait_s) FILTER (WHERE r.outcome = 'answered') AS answered_wait_s
FROM report_inbound_hours r
WHERE r.hour >= %(start)s AND r.hour < %(end)s AND ({all_queues} OR r.queue_id IN (
    SELECT q.id FROM inbound_queues q WHERE {queue_campaigns}))
GROUP BY 1
ORDER BY 1
"""


def inbound_per_hour(
    conn: Connection, report: ReportFilter, threshold_s: int = DEFAULT_SERVICE_LEVEL_S
) -> list[InboundHour]:
    """Queues of the filtered campaigns (every queue, including unassigned ones, for all)."""
    if not valid_service_level_threshold(threshold_s):
        raise ValidationError([f"threshold: {threshold_s} s is not a multiple of 5 up to 300"])
    query = sql.SQL(_QUERY).format(
        all_queues=sql.SQL("FALSE" if report.campaign_ids else "TRUE"),
        queue_campaigns=campaign_condition(report, "q.campaign_id"),
    )
    steps = threshold_s // SERVICE_LEVEL_STEP_S
    rows = conn.execute(query, params(report, steps=steps)).fetchall()
    result = []
    for hour, *sums, wait_s in rows:
        offered, answered, in_time, abandoned = (int(v or 0) for v in sums)
        if not offered:
            continue
        result.append(
            InboundHour(
                hour=hour,
                offered=offered,
                answered=answered,
                answered_in_threshold=in_time,
                abandoned=abandoned,
                service_level=ratio(in_time, offered),
                asa_s=ratio(float(wait_s or 0), answered),
                abandon_rate=ratio(abandoned, offered),
            )
        )
    return result
