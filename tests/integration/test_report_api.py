"""Report data under /api/v1: the same rows as the pages' CSV, as JSON for integrations, with the
same validation, the roles of the pages and bearer tokens."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from typing import Any

import pytest
from werkzeug.test import TestResponse

from dashboard.report_catalog import REPORTS
from tests.dashboard_fixtures import DashboardClient
from tests.integration.report_data import Conn, agent, at, attempts, campaign, state

Call = Callable[..., TestResponse]
NOV_2 = "from=2026-11-02&to=2026-11-02"


def test_the_catalog_lists_every_report_with_its_columns_and_definitions(
    token_client: Call, check: Any
) -> None:
    answer = check("GET", "/reports", token_client("GET", "/api/v1/reports"))

    by_slug = {item["slug"]: item for item in answer["items"]}
    assert set(by_slug) == set(REPORTS)
    assert by_slug["outcomes"]["sort_columns"] == list(REPORTS["outcomes"].sort_columns)
    assert by_slug["lists"]["uses_dates"] is False
    assert by_slug["inbound"]["uses_threshold"] is True
    assert any(d["name"] == "Abandonment rate" for d in by_slug["abandonment"]["definitions"])


def test_every_report_answers_rows_keyed_by_its_columns(
    token_client: Call, check: Any, db: Conn
) -> None:
    c = campaign(db, "Autumn")
    attempts(db, c, at("2026-11-02 10:00"), "connected", 2)
    attempts(db, c, at("2026-11-02 10:30"), "busy", 3)
    attempts(db, c, at("2026-11-02 11:00"), "abandoned", 1)

    for slug, report in REPORTS.items():
        response = token_client("GET", f"/api/v1/reports/{slug}?campaign={c}&{NOV_2}")
        answer = check("GET", "/reports/{slug}", response)
        assert response.status_code == 200, (slug, answer)
        assert answer["columns"] == list(report.csv_header)
        assert answer["row_count"] == len(answer["rows"])
        assert all(list(row) == answer["columns"] for row in answer["rows"]), slug
        assert answer["filter"]["campaign_ids"] == [c]

    calls = token_client("GET", f"/api/v1/reports/calls?campaign={c}&{NOV_2}").json
    by_outcome = {(r["hour"], r["outcome"]): r["calls"] for r in calls["rows"]}
    assert by_outcome[("2026-11-02T10:00:00", "busy")] == 3  # wall clock in the filter's tz
    abandonment = token_client("GET", f"/api/v1/reports/abandonment?campaign={c}&{NOV_2}").json
    (day,) = abandonment["rows"]
    assert (day["day"], day["live_answers"], day["abandoned"]) == ("2026-11-02", 3, 1)
    assert abandonment["filter"] == {
        "campaign_ids": [c],
        "from": "2026-11-02",
        "to": "2026-11-02",
        "tz": "UTC",
        "sort": None,
        "threshold_s": None,
    }


def test_pauses_by_reason_are_an_object_in_json_and_a_cell_in_csv(
    token_client: Call, db: Conn
) -> None:
    c = campaign(db, "Agents")
    ann = agent(db, "ann")
    state(db, ann, c, "paused", at("2026-11-02 09:00"), 600, "lunch")
    state(db, ann, c, "paused", at("2026-11-02 10:00"), 300)

    answer = token_client("GET", f"/api/v1/reports/agents?campaign={c}&{NOV_2}").json
    exported = token_client("GET", f"/api/v1/reports/agents/export.csv?campaign={c}&{NOV_2}")

    (row,) = answer["rows"]
    assert row["pause_by_reason"] == {"lunch": 600.0, "none": 300.0}
    header, cells = list(csv.reader(io.StringIO(exported.get_data(as_text=True))))
    assert cells[header.index("pause_by_reason")] == "lunch=600.0; none=300.0"


def test_the_csv_export_escapes_formula_like_cells(token_client: Call, db: Conn) -> None:
    c = campaign(db, '=HYPERLINK("http://evil.example","x")')
    attempts(db, c, at("2026-11-02 10:00"), "abandoned", 1)

    response = token_client("GET", f"/api/v1/reports/abandonment/export.csv?{NOV_2}")

    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert (
        'filename="abandonment-2026-11-02-2026-11-02.csv"'
        in response.headers["Content-Disposition"]
    )
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True))))
    assert rows[1][0] == '\'=HYPERLINK("http://evil.example","x")'


@pytest.mark.parametrize(
    ("query", "problem"),
    [
        ("campaign=1%20OR%201%3D1", "campaign: '1 OR 1=1' is not a campaign id"),
        ("sort=attempts;DROP%20TABLE%20call_attempts", "sort: 'attempts;DROP TABLE call_attempts'"),
        ("from=2026-11-05&to=2026-11-01", "from: must not be after to"),
        ("tz=Mars/Olympus", "tz: 'Mars/Olympus' is not a time zone"),
        ("campaign=999999", "campaign: no campaign 999999"),
    ],
)
def test_bad_parameters_are_a_400_that_names_each_problem(
    token_client: Call, check: Any, db: Conn, query: str, problem: str
) -> None:
    campaign(db, "Only")
    response = token_client("GET", f"/api/v1/reports/outcomes?{query}")

    answer = check("GET", "/reports/{slug}", response)
    assert response.status_code == 400
    assert any(p.startswith(problem) for p in answer["problems"]), answer
    assert db.execute("SELECT count(*) FROM campaigns").fetchone() == (1,)


def test_an_unknown_report_is_a_404_that_says_where_the_list_is(
    token_client: Call, check: Any
) -> None:
    response = token_client("GET", "/api/v1/reports/payroll")

    answer = check("GET", "/reports/{slug}", response)
    assert response.status_code == 404
    assert "/api/v1/reports" in answer["message"]


URLS = ["/api/v1/reports", "/api/v1/reports/calls", "/api/v1/reports/calls/export.csv"]


def test_supervisors_read_report_data_and_agents_and_strangers_do_not(
    supervisor: DashboardClient, agent: DashboardClient, anonymous: DashboardClient
) -> None:
    for url in URLS:
        assert supervisor.get(url).status_code == 200, url
        assert agent.get(url).status_code == 403, url
        assert anonymous.get(url).status_code == 401, url
