"""The report pages inside the real dashboard: its login, roles, layout and CSP."""

from __future__ import annotations

import csv
import io

from dashboard.report_catalog import REPORTS
from tests.dashboard_fixtures import DashboardClient
from tests.integration.report_data import Conn, at, attempts, campaign

URLS = ["/reports", "/reports/assets/reports.js", "/reports/assets/plotly.min.js"] + [
    url
    for slug in REPORTS
    for url in (f"/reports/{slug}", f"/reports/{slug}/export.csv", f"/reports/{slug}/figures.json")
]


def test_supervisors_read_every_report_in_the_dashboard_layout(
    supervisor: DashboardClient, db: Conn
) -> None:
    c = campaign(db, "Autumn")
    attempts(db, c, at("2026-11-02 10:00"), "connected", 2)

    for slug in REPORTS:
        page = supervisor.get(f"/reports/{slug}?from=2026-11-01&to=2026-11-02")
        assert page.status_code == 200, (slug, page.status_code)
        text = page.get_data(as_text=True)
        assert 'class="menu"' in text and ">Reports</a>" in text
        assert "<script>" not in text  # only external scripts: the app's CSP allows no inline ones


def test_admins_may_read_reports_and_agents_may_not(
    admin: DashboardClient, agent: DashboardClient
) -> None:
    assert admin.get("/reports/abandonment").status_code == 200
    for url in URLS:
        assert agent.get(url).status_code == 403, url


def test_without_a_login_no_report_is_served(anonymous: DashboardClient) -> None:
    for url in URLS:
        assert anonymous.get(url).status_code in (302, 401), url


def test_an_export_through_the_app_escapes_formula_like_cells(
    supervisor: DashboardClient, db: Conn
) -> None:
    c = campaign(db, "+cmd|' /C calc'!A0")
    attempts(db, c, at("2026-11-02 10:00"), "abandoned", 1)

    response = supervisor.get("/reports/abandonment/export.csv?from=2026-11-02&to=2026-11-02")

    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True))))
    assert rows[1][0] == "'+cmd|' /C calc'!A0"
