"""Every report page in headless Chromium inside the real dashboard: plotly.js (served by the app,
no CDN) draws each chart under the app's Content-Security-Policy; screenshots land in
tests/artifacts/."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import psycopg
import pytest
from playwright.sync_api import Page

from dashboard.report_catalog import REPORTS
from tests.integration.report_data import (
    agent,
    at,
    attempt,
    attempts,
    campaign,
    inbound,
    queue,
    state,
)


def _history(db: psycopg.Connection[Any]) -> int:
    c = campaign(db, "Browser campaign", tz="America/New_York")
    for hour in ("14", "15", "16"):
        attempts(db, c, at(f"2026-11-02 {hour}:10"), "connected", 3)
        attempts(db, c, at(f"2026-11-02 {hour}:20"), "no_answer", 5)
        attempt(db, c, at(f"2026-11-02 {hour}:30"), "abandoned")
    bea = agent(db, "bea")
    state(db, bea, c, "ready", at("2026-11-02 14:00"), 600)
    state(db, bea, c, "on_call", at("2026-11-02 14:10"), 300)
    inbound(db, queue(db, c, "Browser queue"), at("2026-11-02 15:00"), "answered", 12, 200)
    db.commit()
    return c


@pytest.mark.parametrize("slug", sorted(REPORTS))
def test_a_supervisor_sees_each_report_drawn(
    sign_in: Callable[[str], Page], artifacts: Path, db: psycopg.Connection[Any], slug: str
) -> None:
    _history(db)
    page = sign_in("supervisor")
    errors: list[str] = []
    page.on(
        "console", lambda message: errors.append(message.text) if message.type == "error" else None
    )

    response = page.goto(f"/reports/{slug}?from=2026-11-01&to=2026-11-03&tz=America/New_York")

    assert response is not None and response.status == 200
    charts = page.locator(".report-chart")
    assert charts.count() >= 1
    for index in range(charts.count()):
        charts.nth(index).locator(".main-svg").first.wait_for(timeout=15000)
    assert errors == []
    page.screenshot(path=str(artifacts / f"report-{slug}.png"), full_page=True)


def test_an_agent_may_not_open_reports(sign_in: Callable[[str], Page], artifacts: Path) -> None:
    page = sign_in("agent")
    response = page.goto("/reports/abandonment")
    assert response is not None and response.status == 403
