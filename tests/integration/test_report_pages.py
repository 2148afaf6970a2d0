"""The report blueprint in a tiny app: pages, CSV, roles, and hostile filter values.

The app here gives the blueprint what the real app will: a connection per request and a decorator
that lets only admins and supervisors in (401 without a user, 403 for an agent).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterator
from datetime import date
from functools import wraps
from typing import Any

import psycopg
import pytest
from flask import Flask, abort, g, request
from flask.testing import FlaskClient

from campaigns.storage.db import Connection
from dashboard.report_catalog import REPORTS
from dashboard.routes.reports import reports_blueprint, script_safe_json
from tests.integration.report_data import Conn, at, attempt, attempts, campaign, inbound, queue

READERS = ("admin", "supervisor")


def _restrict(view: Callable[..., Any]) -> Callable[..., Any]:
    @wraps(view)
    def guarded(*args: Any, **kwargs: Any) -> Any:
        role = request.headers.get("X-Test-Role")
        if not role:
            abort(401)
        if role not in READERS:
            abort(403)
        return view(*args, **kwargs)

    return guarded


@pytest.fixture
def client(database_url: str, db: Conn) -> Iterator[FlaskClient]:
    app = Flask("report_pages_test")

    def get_connection() -> Connection:
        if "db" not in g:
            g.db = psycopg.connect(database_url, autocommit=True)
        conn: Connection = g.db
        return conn

    @app.teardown_appcontext
    def _close(_: BaseException | None) -> None:
        conn = g.pop("db", None)
        if conn is not None:
            conn.close()

    app.register_blueprint(
        reports_blueprint(get_connection, _restrict, today=lambda: date(2026, 11, 2))
    )
    with app.test_client() as test_client:
        yield test_client


def _get(client: FlaskClient, url: str, role: str | None = "supervisor") -> Any:
    headers = {"X-Test-Role": role} if role else {}
    return client.get(url, headers=headers)


def _data(db: Conn) -> int:
    c = campaign(db, "Spring")
    attempts(db, c, at("2026-11-02 10:00"), "connected", 3)
    attempts(db, c, at("2026-11-02 10:00"), "abandoned", 1)
    inbound(db, queue(db, c, "Q"), at("2026-11-02 10:00"), "answered", 4, 30)
    db.commit()
    return c


@pytest.mark.parametrize("slug", sorted(REPORTS))
def test_every_report_page_shows_charts_with_a_fixed_uirevision(
    client: FlaskClient, db: Conn, slug: str
) -> None:
    c = _data(db)

    page = _get(client, f"/reports/{slug}?campaign={c}&from=2026-11-01&to=2026-11-02")
    refreshed = _get(client, f"/reports/{slug}/figures.json?campaign={c}")

    assert page.status_code == 200, page.text
    assert '"uirevision":"report:' in page.text
    assert refreshed.status_code == 200
    assert all(f["layout"]["uirevision"].startswith("report:") for f in refreshed.json["figures"])


def test_the_index_and_pages_write_down_what_the_figures_mean(client: FlaskClient) -> None:
    index = _get(client, "/reports")
    abandonment = _get(client, "/reports/abandonment")

    for name in ("Answer rate", "Abandonment rate", "Occupancy", "AHT", "Service level", "ASA"):
        assert name in index.text
    assert "Machine-answered, busy and unanswered calls are not in the denominator" in (
        abandonment.text
    )


def test_a_visitor_without_a_user_gets_401_and_an_agent_gets_403_everywhere(
    client: FlaskClient,
) -> None:
    urls = ["/reports", "/reports/assets/reports.js", "/reports/assets/plotly.min.js"]
    for slug in REPORTS:
        urls += [f"/reports/{slug}", f"/reports/{slug}/export.csv", f"/reports/{slug}/figures.json"]
    for url in urls:
        assert _get(client, url, role=None).status_code == 401, url
        assert _get(client, url, role="agent").status_code == 403, url


def test_plotly_js_comes_from_the_installed_package(client: FlaskClient) -> None:
    response = _get(client, "/reports/assets/plotly.min.js")

    assert response.status_code == 200
    assert b"plotly" in response.data[:2000].lower()


def test_an_unknown_report_is_404(client: FlaskClient) -> None:
    assert _get(client, "/reports/nothing-here").status_code == 404


def test_an_exported_csv_escapes_formula_like_cells(client: FlaskClient, db: Conn) -> None:
    c = campaign(db, '=HYPERLINK("http://evil.example","x")')
    other = campaign(db, "@SUM(A1)")
    attempts(db, c, at("2026-11-02 10:00"), "connected", 1)
    attempts(db, other, at("2026-11-02 10:00"), "connected", 1)
    db.commit()

    response = _get(client, "/reports/abandonment/export.csv?from=2026-11-02&to=2026-11-02")

    assert response.status_code == 200
    assert response.headers["Content-Disposition"].startswith("attachment;")
    rows = list(csv.reader(io.StringIO(response.text)))
    assert rows[0][:3] == ["campaign", "day", "live_answers"]
    names = {row[0] for row in rows[1:]}
    assert names == {'\'=HYPERLINK("http://evil.example","x")', "'@SUM(A1)"}


HOSTILE = [
    "campaign=1%20OR%201%3D1",
    "campaign=1;DROP%20TABLE%20call_attempts",
    "from=2026-11-01%27;DROP%20TABLE%20call_attempts;--",
    "to=2026-11-02%22)%20OR%20(1=1",
    "tz=UTC%27;DROP%20TABLE%20call_attempts;--",
    "tz=../../etc/passwd",
    "sort=attempts;DROP%20TABLE%20call_attempts",
    "sort=-attempts%20DESC,(SELECT%201)",
    "threshold=20;DROP",
    "threshold=17",
]


@pytest.mark.parametrize("query", HOSTILE)
def test_sql_metacharacters_in_filters_and_sort_are_refused_harmlessly(
    client: FlaskClient, db: Conn, query: str
) -> None:
    _data(db)
    slug = "inbound" if query.startswith("threshold") else "outcomes"

    page = _get(client, f"/reports/{slug}?{query}")
    export = _get(client, f"/reports/{slug}/export.csv?{query}")

    assert page.status_code == 400 and export.status_code == 400
    assert db.execute("SELECT count(*) FROM call_attempts").fetchone() == (4,)


def test_a_name_cannot_close_the_script_element_that_carries_a_figure(
    client: FlaskClient, db: Conn
) -> None:
    c = campaign(db, "</script><script>alert(1)</script>")
    attempts(db, c, at("2026-11-02 10:00"), "abandoned", 1)
    attempt(db, c, at("2026-11-02 10:00"), "connected")
    db.commit()

    page = _get(client, "/reports/abandonment?from=2026-11-02&to=2026-11-02")

    assert page.status_code == 200
    assert "<script>alert(1)" not in page.text
    assert script_safe_json('{"a": "</script>"}') == '{"a": "\\u003c/script\\u003e"}'
