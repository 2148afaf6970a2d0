"""/api/v1/reports: every report's rows as JSON or CSV, for integrations (BI tools, payroll,
compliance archives). Same reports, parameters and validation as the report pages; the rows are
the pages' CSV rows, keyed by column."""

from __future__ import annotations

from datetime import UTC, datetime

from flask import Blueprint, Response, jsonify, request
from flask.typing import ResponseReturnValue

from campaigns.errors import NotFound
from campaigns.report_filter import ReportFilter
from campaigns.storage.reports.scope import campaign_names
from dashboard.access import managers
from dashboard.csv_export import csv_text
from dashboard.db import get_db
from dashboard.openapi import Param, documented
from dashboard.report_catalog import REPORTS, Options, Report
from dashboard.report_request import parse_report_request
from dashboard.report_schemas import report_data_json, report_summary_json

blueprint = Blueprint("api_reports", __name__, url_prefix="/api/v1")

_FILTER = (
    Param(
        "campaign",
        "Campaign id; repeat for several; none means every campaign. An unknown id is a 400.",
        {"type": "array", "items": {"type": "integer"}},
    ),
    Param("from", "First day, YYYY-MM-DD (default: 6 days before `to`).", {"type": "string"}),
    Param("to", "Last day, YYYY-MM-DD, inclusive (default: today, UTC).", {"type": "string"}),
    Param("tz", "IANA time zone days and hours are counted in (UTC).", {"type": "string"}),
    Param("sort", "Sort column of reports that have sort_columns; '-' descends."),
    Param(
        "threshold",
        "Service-level threshold in seconds for the inbound report (multiple of 5, up to 300).",
        {"type": "integer"},
    ),
)
_SLUG = "The report's slug, from GET /reports."


@blueprint.get("/reports")
@managers
@documented(
    "The reports and their parameters",
    response="ReportList",
    description="Each report's columns, which filter parameters apply and how its metrics "
    "are defined.",
)
def list_reports() -> ResponseReturnValue:
    return jsonify({"items": [report_summary_json(r) for r in REPORTS.values()]})


@blueprint.get("/reports/<slug>")
@managers
@documented(
    "A report's rows",
    query=_FILTER,
    response="ReportData",
    description=f"{_SLUG} The same rows as the report page's CSV export, as objects.",
)
def report_data(slug: str) -> ResponseReturnValue:
    report, scope, options = _request(slug)
    rows = report.run(get_db(), scope, options)
    return jsonify(report_data_json(report, scope, options, rows))


@blueprint.get("/reports/<slug>/export.csv")
@managers
@documented(
    "A report's rows as CSV",
    query=_FILTER,
    media_type="text/csv",
    description=f"{_SLUG} Cells that a spreadsheet would read as a formula are escaped.",
)
def report_csv(slug: str) -> ResponseReturnValue:
    report, scope, options = _request(slug)
    rows = report.run(get_db(), scope, options)
    name = f"{report.slug}-{scope.first_day}-{scope.last_day}.csv"
    return Response(
        csv_text(report.csv_header, (report.csv_row(r) for r in rows)),
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


def _request(slug: str) -> tuple[Report, ReportFilter, Options]:
    report = REPORTS.get(slug)
    if report is None:
        raise NotFound(f"no report {slug[:40]!r}; GET /api/v1/reports lists them")
    known = {campaign_id for campaign_id, _ in campaign_names(get_db())}
    scope, options = parse_report_request(
        report, request.args, datetime.now(UTC).date(), "UTC", known
    )
    return report, scope, options
