"""Agent performance: calls handled, talk, wrap, idle, pauses by reason, occupancy, AHT."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from psycopg import sql

from campaigns.report_figures import agent_performance
from campaigns.report_filter import ReportFilter, Sort
from campaigns.report_rows import AgentPause, AgentPerformance, AgentTotals
from campaigns.storage.db import Connection
from campaigns.storage.reports.scope import campaign_condition, params


def _none_last(value: float | None) -> float:
    return float("-inf") if value is None else value


# The sort columns a request may name; rows are sorted after folding (one row per agent).
SORT_KEYS: dict[str, Callable[[AgentPerformance], Any]] = {
    "agent": lambda row: row.agent_name.lower(),
    "calls_handled": lambda row: row.calls_handled,
    "talk": lambda row: row.talk_s,
    "wrap": lambda row: row.wrap_s,
    "idle": lambda row: row.idle_s,
    "pause": lambda row: row.pause_s,
    "occupancy": lambda row: _none_last(row.occupancy),
    "aht": lambda row: _none_last(row.aht_s),
}
DEFAULT_SORT = Sort("calls_handled", descending=True)

# Days are the campaign's own calendar days; campaign 0 holds time spent outside any campaign
# (blended or inbound-only agents, UTC days) and belongs to the "all campaigns" view only.
_TOTALS = """
SELECT r.agent_id, coalesce(nullif(u.display_name, ''), u.username, '#' || r.agent_id::text),
       sum(r.calls), sum(r.talk_s), sum(r.wrap_s), sum(r.reserved_s), sum(r.ready_s),
       sum(r.paused_s)
FROM report_agent_days r
LEFT JOIN agents a ON a.id = r.agent_id
LEFT JOIN users u ON u.id = a.user_id
WHERE r.day >= %(first_day)s AND r.day <= %(last_day)s AND {campaigns}
GROUP BY r.agent_id, u.display_name, u.username
"""

_PAUSES = """
SELECT r.agent_id, r.reason, sum(r.seconds)
FROM report_agent_pause_days r
WHERE r.day >= %(first_day)s AND r.day <= %(last_day)s AND {campaigns}
GROUP BY 1, 2
"""


def agent_performance_report(
    conn: Connection, report: ReportFilter, sort: Sort = DEFAULT_SORT
) -> list[AgentPerformance]:
    campaigns = campaign_condition(report)
    values = params(report)
    totals = [
        AgentTotals(
            int(a),
            str(name),
            int(calls),
            float(talk),
            float(wrap),
            float(reserved),
            float(ready),
            float(paused),
        )
        for a, name, calls, talk, wrap, reserved, ready, paused in conn.execute(
            sql.SQL(_TOTALS).format(campaigns=campaigns), values
        ).fetchall()
    ]
    pauses = [
        AgentPause(int(a), str(reason), float(seconds))
        for a, reason, seconds in conn.execute(
            sql.SQL(_PAUSES).format(campaigns=campaigns), values
        ).fetchall()
    ]
    folded = agent_performance(totals, pauses)
    folded.sort(key=lambda row: row.agent_name.lower())  # ties: by name, whatever the direction
    return sorted(folded, key=SORT_KEYS[sort.column], reverse=sort.descending)
