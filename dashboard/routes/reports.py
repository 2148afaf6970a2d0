"""Report pages: a filter form, plotly charts, a table, metric definitions and a CSV export per
report, for admins and supervisors.

The blueprint is built by `reports_blueprint(get_connection, restrict)` so it needs only two
things from its host: a function returning the request's database connection, and a decorator
that limits a view to the roles allowed to read reports (it answers 401/403 itself, or marks the
view for the host's access hook to do so). The dashboard registers the module-level `blueprint`
below (pooled connection on `g`, `managers`: admins and supervisors); the tests also mount the
factory on a bare Flask app. Views parse and validate, call one query, build figures
with the pure chart functions and render; every value reaching SQL is typed and bound.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, date, datetime
from importlib import resources
from pathlib import Path
from typing import Any, TypeVar

from flask import Blueprint, Response, abort, render_template, request, send_file, url_for

from campaigns.errors import ValidationError
from campaigns.report_filter import ReportFilter
from campaigns.report_metrics import DEFINITIONS
from campaigns.storage.db import Connection
from campaigns.storage.reports.scope import campaign_names
from campaigns.users import Role
from dashboard.access import managers
from dashboard.csv_export import csv_text
from dashboard.db import get_db
from dashboard.navigation import NavItem
from dashboard.report_catalog import REPORTS, Options, Report
from dashboard.report_request import parse_report_request

View = TypeVar("View", bound=Callable[..., Any])

TEMPLATES = Path(__file__).resolve().parent.parent / "templates"
SCRIPT = Path(__file__).resolve().parent.parent / "static" / "reports.js"
# A page shows this many table rows; the CSV has them all.
TABLE_ROWS = 500


def reports_blueprint(
    get_connection: Callable[[], Connection],
    restrict: Callable[[View], View],
    *,
    layout: str = "reports/standalone.html",
    today: Callable[[], date] = lambda: datetime.now(UTC).date(),
    default_tz: str = "UTC",
) -> Blueprint:
    """`layout` is the template the pages extend (blocks: title, head, content)."""
    blueprint = Blueprint("reports", __name__, url_prefix="/reports", template_folder=TEMPLATES)

    @blueprint.get("")
    @restrict
    def index() -> str:
        return render_template(
            "reports/index.html", layout=layout, reports=REPORTS.values(), definitions=DEFINITIONS
        )

    @blueprint.get("/<slug>")
    @restrict
    def page(slug: str) -> tuple[str, int] | str:
        report = _report(slug)
        conn = get_connection()
        names = campaign_names(conn)
        try:
            scope, options = parse_report_request(report, request.args, today(), default_tz)
        except ValidationError as error:
            return _render(
                report,
                layout,
                names=names,
                scope=None,
                options=None,
                rows=[],
                problems=error.problems,
            ), 400
        rows = report.run(conn, scope, options)
        figures = [script_safe_json(_compact(f)) for f in report.figures(rows, options)]
        return _render(
            report,
            layout,
            names=names,
            scope=scope,
            options=options,
            rows=rows,
            problems=[],
            figures=figures,
        )

    @blueprint.get("/<slug>/figures.json")
    @restrict
    def figures(slug: str) -> Response:
        """The page's figures for Plotly.react: same data, same uirevision, zoom kept."""
        report = _report(slug)
        try:
            scope, options = parse_report_request(report, request.args, today(), default_tz)
        except ValidationError as error:
            return _json({"problems": error.problems}, 400)
        rows = report.run(get_connection(), scope, options)
        return _json({"figures": report.figures(rows, options)}, 200)

    @blueprint.get("/<slug>/export.csv")
    @restrict
    def export(slug: str) -> Response:
        report = _report(slug)
        try:
            scope, options = parse_report_request(report, request.args, today(), default_tz)
        except ValidationError as error:
            return Response("\n".join(error.problems) + "\n", 400, mimetype="text/plain")
        rows = report.run(get_connection(), scope, options)
        body = csv_text(report.csv_header, (report.csv_row(r) for r in rows))
        name = f"{report.slug}-{scope.first_day}-{scope.last_day}.csv"
        return Response(
            body,
            mimetype="text/csv",
            headers={"Content-Disposition": f'attachment; filename="{name}"'},
        )

    @blueprint.get("/assets/reports.js")
    @restrict
    def script() -> Response:
        return send_file(SCRIPT, mimetype="text/javascript", max_age=3600)

    @blueprint.get("/assets/plotly.min.js")
    @restrict
    def plotly_js() -> Response:
        # From the installed plotly package: matches the figure JSON, works on offline LANs.
        bundle = resources.files("plotly") / "package_data" / "plotly.min.js"
        return send_file(str(bundle), mimetype="text/javascript", max_age=24 * 3600)

    return blueprint


def script_safe_json(text: str) -> str:
    """JSON to embed in <script type="application/json">: no `</script>` or `<!--` can close
    the element early, whatever a campaign or agent name contains."""
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def _report(slug: str) -> Report:
    report = REPORTS.get(slug)
    if report is None:
        abort(404)
    return report


def _render(
    report: Report,
    layout: str,
    *,
    names: list[tuple[int, str]],
    scope: ReportFilter | None,
    options: Options | None,
    rows: Any,
    problems: list[str],
    figures: list[str] | None = None,
) -> str:
    table = [report.csv_row(r) for r in list(rows)[:TABLE_ROWS]]
    return render_template(
        "reports/page.html",
        layout=layout,
        report=report,
        reports=REPORTS.values(),
        campaigns=names,
        scope=scope,
        options=options,
        problems=problems,
        figures=figures or [],
        table=table,
        total_rows=len(rows),
        definitions=[d for d in DEFINITIONS if d.name in (*report.metrics, "Days and hours")],
        query=request.query_string.decode("utf-8", "replace"),
        csv_url=url_for("reports.export", slug=report.slug),
        figures_url=url_for("reports.figures", slug=report.slug),
    )


def _compact(data: object) -> str:
    return json.dumps(data, separators=(",", ":"))


def _json(data: object, status: int) -> Response:
    return Response(_compact(data), status, mimetype="application/json")


blueprint = reports_blueprint(get_db, managers, layout="base.html")
NAV = [NavItem("Reports", "reports.index", frozenset({Role.ADMIN, Role.SUPERVISOR}), 50)]
