"""The report rollups read back as key -> measures and compared, for the rollup and bench tests."""

from __future__ import annotations

import math
from typing import Any

from tests.integration.report_data import (
    Conn,
)

# table: (key columns, measure columns)
ROLLUPS = {
    "report_attempt_hours": ("campaign_id, hour, outcome, disposition, amd_machine", "attempts"),
    "report_attempt_days": ("campaign_id, day, outcome, disposition, amd_machine", "attempts"),
    "report_agent_days": (
        "campaign_id, day, agent_id",
        "calls, talk_s, wrap_s, reserved_s, ready_s, paused_s",
    ),
    "report_agent_pause_days": ("campaign_id, day, agent_id, reason", "seconds"),
    "report_inbound_hours": ("queue_id, hour, outcome, wait_step", "calls, wait_s, talk_s"),
    "report_list_contacts": ("list_id, campaign_id, state, attempts", "contacts"),
}


def _snapshot(db: Conn) -> dict[str, dict[tuple[Any, ...], tuple[float, ...]]]:
    """Each rollup as key -> measures, without all-zero rows (left where counts moved away)."""
    result = {}
    for table, (keys, measures) in ROLLUPS.items():
        rows = db.execute(
            f"SELECT {keys}, {measures} FROM {table} ORDER BY {keys}"  # constants above
        ).fetchall()
        width = len(keys.split(","))
        result[table] = {
            tuple(row[:width]): tuple(float(v) for v in row[width:])
            for row in rows
            if any(abs(float(v)) > 1e-6 for v in row[width:])
        }
    return result


def _same(left: dict[str, Any], right: dict[str, Any]) -> bool:
    """Equal keys and measures equal to a microsecond (float sums of +x and -x leave dust)."""
    return all(
        left[table].keys() == right[table].keys()
        and all(
            math.isclose(a, b, abs_tol=1e-6)
            for key in left[table]
            for a, b in zip(left[table][key], right[table][key], strict=True)
        )
        for table in ROLLUPS
    )
