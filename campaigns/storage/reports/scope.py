"""The parts every report query shares: which campaigns, which hours, which zone."""

from __future__ import annotations

from typing import Any

from psycopg import sql

from campaigns.attempt import LIVE_ANSWER_OUTCOMES, Outcome
from campaigns.report_filter import ReportFilter
from campaigns.storage.db import Connection


def _disposition_says(human: bool) -> str:
    """Rollup row `r`'s disposition says a person was there (or, `human` false, nobody)."""
    flag = "d.human" if human else "NOT d.human"
    return f"""(r.disposition <> '' AND EXISTS (SELECT 1 FROM dispositions d
        WHERE d.campaign_id = r.campaign_id AND d.code = r.disposition AND {flag}))"""


# An AMD false positive: AMD took the call for a machine and its disposition says a human was
# there. It counts as an abandoned live answer (COMPLIANCE.md). The EXISTS only runs for the
# few AMD-machine rows with a disposition, so report rows need no join with dispositions.
AMD_FALSE_POSITIVE = (
    f"(r.outcome = %(machine)s AND r.amd_machine AND {_disposition_says(human=True)})"
)

# A machine an agent heard: connected (AMD off, a HUMAN verdict on voicemail, a machine passed to
# agents) and dispositioned as nobody there. Not a live answer (COMPLIANCE.md). The daily rollups
# keep every disposition, the hourly ones a connected call's and an AMD machine's (migration 0023,
# `report_hour_disposition`), so both can tell these calls apart.
AGENT_HEARD_MACHINE = f"(r.outcome = %(connected)s AND {_disposition_says(human=False)})"

# Live answers and abandoned ones of rollup row `r` (report_attempt_hours or _days).
LIVE_AND_ABANDONED = sql.SQL(
    "sum(r.attempts) FILTER (WHERE (r.outcome = ANY(%(live_outcomes)s) AND NOT "
    + AGENT_HEARD_MACHINE
    + ") OR "
    + AMD_FALSE_POSITIVE
    + ") AS live_answers,\n"
    + "sum(r.attempts) FILTER (WHERE r.outcome = %(abandoned)s OR "
    + AMD_FALSE_POSITIVE
    + ") AS abandoned"
)

# The rows that can hold live answers: what the abandonment queries read.
LIVE_ROWS = sql.SQL(
    "(r.outcome = ANY(%(live_outcomes)s) OR (r.outcome = %(machine)s AND r.amd_machine))"
)


def campaign_condition(report: ReportFilter, column: str = "r.campaign_id") -> sql.Composable:
    """`TRUE` for every campaign, else `column = ANY(%(campaign_ids)s)`."""
    if not report.campaign_ids:
        return sql.SQL("TRUE")
    table, _, name = column.rpartition(".")
    target = sql.Identifier(table, name) if table else sql.Identifier(name)
    return sql.SQL("{} = ANY(%(campaign_ids)s)").format(target)


def params(report: ReportFilter, **extra: Any) -> dict[str, Any]:
    return {
        "campaign_ids": list(report.campaign_ids),
        "start": report.start(),
        "end": report.end(),
        "tz": report.tz,
        "first_day": report.first_day,
        "last_day": report.last_day,
        "live_outcomes": sorted(str(o) for o in LIVE_ANSWER_OUTCOMES),
        "abandoned": str(Outcome.ABANDONED),
        "machine": str(Outcome.MACHINE),
        "connected": str(Outcome.CONNECTED),
        **extra,
    }


def campaign_names(conn: Connection) -> list[tuple[int, str]]:
    """(id, name) of every campaign, for the filter form."""
    rows = conn.execute("SELECT id, name FROM campaigns ORDER BY name, id").fetchall()
    return [(int(i), str(name)) for i, name in rows]
