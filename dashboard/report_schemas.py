"""The report API's answers and their JSON Schemas, side by side as in dashboard.api_schemas."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from campaigns.report_filter import ReportFilter
from campaigns.report_metrics import DEFINITIONS
from dashboard.report_catalog import Options, Report
from dashboard.schema_parts import NULLABLE_INT, NULLABLE_STRING, object_schema

_STRINGS = {"type": "array", "items": {"type": "string"}}
_NULLABLE_DATE = {"anyOf": [{"type": "string", "format": "date"}, {"type": "null"}]}


def _definitions(report: Report) -> list[dict[str, str]]:
    return [
        {"name": d.name, "definition": d.definition}
        for d in DEFINITIONS
        if d.name in (*report.metrics, "Days and hours")
    ]


def report_summary_json(report: Report) -> dict[str, Any]:
    return {
        "slug": report.slug,
        "title": report.title,
        "summary": report.summary,
        "columns": list(report.csv_header),
        "uses_dates": report.uses_dates,
        "uses_zone": report.uses_zone,
        "uses_threshold": report.uses_threshold,
        "sort_columns": list(report.sort_columns),
        "definitions": _definitions(report),
    }


def report_data_json(
    report: Report, scope: ReportFilter, options: Options, rows: Sequence[Any]
) -> dict[str, Any]:
    sort = options.sort
    return {
        "report": report.slug,
        "title": report.title,
        "filter": {
            "campaign_ids": list(scope.campaign_ids),
            "from": scope.first_day if report.uses_dates else None,
            "to": scope.last_day if report.uses_dates else None,
            "tz": scope.tz,
            "sort": None if sort is None else ("-" if sort.descending else "") + sort.column,
            "threshold_s": options.threshold_s if report.uses_threshold else None,
        },
        "columns": list(report.csv_header),
        "rows": [report.record(row) for row in rows],
        "row_count": len(rows),
    }


_DEFINITION = object_schema({"name": {"type": "string"}, "definition": {"type": "string"}})

REPORT_SCHEMAS: dict[str, dict[str, Any]] = {
    "ReportSummary": object_schema(
        {
            "slug": {"type": "string"},
            "title": {"type": "string"},
            "summary": {"type": "string"},
            "columns": _STRINGS,
            "uses_dates": {"type": "boolean", "description": "from/to apply"},
            "uses_zone": {"type": "boolean", "description": "hours are counted in tz"},
            "uses_threshold": {"type": "boolean", "description": "threshold applies"},
            "sort_columns": _STRINGS,
            "definitions": {"type": "array", "items": _DEFINITION},
        }
    ),
    "ReportList": object_schema(
        {"items": {"type": "array", "items": {"$ref": "#/components/schemas/ReportSummary"}}}
    ),
    "ReportData": object_schema(
        {
            "report": {"type": "string"},
            "title": {"type": "string"},
            "filter": object_schema(
                {
                    "campaign_ids": {"type": "array", "items": {"type": "integer"}},
                    "from": _NULLABLE_DATE,
                    "to": _NULLABLE_DATE,
                    "tz": {"type": "string"},
                    "sort": NULLABLE_STRING,
                    "threshold_s": NULLABLE_INT,
                }
            ),
            "columns": _STRINGS,
            "rows": {
                "type": "array",
                "description": "One object per row, keyed by `columns` (the CSV export's). "
                "Hours and days are wall-clock times in filter.tz, without an offset.",
                "items": {"type": "object"},
            },
            "row_count": {"type": "integer", "minimum": 0},
        }
    ),
}
