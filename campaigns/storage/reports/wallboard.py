"""The wallboard's live figures per campaign: one query, cheap enough to run every few seconds.

Dials and answers of the last 15 minutes come from the raw attempts (an index range of minutes);
abandonment today and over the rule set's window from the day rollup, in each campaign's own
calendar days (a 30-day window is 30 rows per outcome).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

from psycopg import sql

from campaigns.report_filter import ReportFilter
from campaigns.report_metrics import ratio
from campaigns.report_rows import WallboardFigures
from campaigns.rules import RULE_SETS
from campaigns.storage.db import Connection
from campaigns.storage.reports.scope import (
    LIVE_AND_ABANDONED,
    LIVE_ROWS,
    campaign_condition,
    params,
)

RECENT = timedelta(minutes=15)
# An attempt is dialed within seconds of being queued and answered within its ring timeout
# (at most 120 s): attempts queued before this margin cannot count in the last 15 minutes.
QUEUE_MARGIN = timedelta(minutes=5)

_QUERY = """
WITH c AS (
    SELECT c.id, c.name, c.rule_set, c.abandon_target,
           (%(window_days)s::int[])[array_position(%(rule_sets)s::text[], c.rule_set)] AS days,
           (%(now)s AT TIME ZONE c.timezone)::date AS today
    FROM campaigns c WHERE {campaigns}
)
SELECT c.id, c.name, c.rule_set, c.abandon_target, c.days, recent.dials, recent.answers,
       counts.live_today, counts.abandoned_today, counts.live_answers, counts.abandoned
FROM c
CROSS JOIN LATERAL (
    SELECT count(*) FILTER (WHERE a.dial_at >= %(recent_start)s) AS dials,
           count(*) FILTER (WHERE a.answer_at >= %(recent_start)s) AS answers
    FROM call_attempts a
    WHERE a.campaign_id = c.id AND a.queued_at >= %(queued_since)s AND a.queued_at <= %(now)s
) AS recent
CROSS JOIN LATERAL (
    SELECT sum(live_answers) AS live_answers, sum(abandoned) AS abandoned,
           sum(live_answers) FILTER (WHERE day = c.today) AS live_today,
           sum(abandoned) FILTER (WHERE day = c.today) AS abandoned_today
    FROM (
        SELECT r.day, {live_and_abandoned}
        FROM report_attempt_days r
        WHERE r.campaign_id = c.id AND r.day > c.today - c.days AND r.day <= c.today
          AND {live_rows}
        GROUP BY r.day
    ) AS days
) AS counts
ORDER BY c.id
"""


def wallboard_figures(
    conn: Connection, campaign_ids: Sequence[int], now: datetime
) -> list[WallboardFigures]:
    """Figures for the campaigns named (every campaign when none is), as of `now`."""
    scope = ReportFilter(tuple(campaign_ids), now.date(), now.date())
    names = list(RULE_SETS)
    query = sql.SQL(_QUERY).format(
        campaigns=campaign_condition(scope, "c.id"),
        live_and_abandoned=LIVE_AND_ABANDONED,
        live_rows=LIVE_ROWS,
    )
    rows = conn.execute(
        query,
        params(
            scope,
            now=now,
            recent_start=now - RECENT,
            queued_since=now - RECENT - QUEUE_MARGIN,
            rule_sets=[str(n) for n in names],
            window_days=[RULE_SETS[n].abandon_window_days for n in names],
        ),
    ).fetchall()
    result = []
    for row in rows:
        cid, name, rule_set, target, days, dials, answers = row[:7]
        live_today, abandoned_today, live_window, abandoned_window = (int(v or 0) for v in row[7:])
        rules = RULE_SETS[rule_set]
        result.append(
            WallboardFigures(
                campaign_id=int(cid),
                campaign_name=str(name),
                dials_15m=int(dials),
                answers_15m=int(answers),
                live_today=live_today,
                abandoned_today=abandoned_today,
                rate_today=ratio(abandoned_today, live_today),
                window_days=int(days),
                live_window=live_window,
                abandoned_window=abandoned_window,
                rate_window=ratio(abandoned_window, live_window),
                cap=rules.abandon_cap,
                target=float(target),
            )
        )
    return result
