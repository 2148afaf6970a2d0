"""The Calls page in headless Chromium: a supervisor opens it from the menu, narrows it to the
recorded calls of one campaign, and opens a call to play it."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import psycopg
from playwright.sync_api import Page

from campaigns.storage import agent_store, user_store
from tests.attempt_factories import evening_calls


def test_a_supervisor_finds_a_recorded_call_and_opens_it(
    sign_in: Callable[[str], Page], artifacts: Path, db: psycopg.Connection[Any]
) -> None:
    page = sign_in("supervisor")
    al = agent_store.agent_for_user(db, user_store.find_user(db, "al").id)
    assert al is not None
    campaign, sale, busy, machine = evening_calls(db, al.id)

    page.click("nav.menu a:text('Calls')")
    page.wait_for_url("**/attempts")
    page.select_option("select[name=campaign_id]", str(campaign))
    page.fill("input[name=from]", "2026-11-02")
    page.fill("input[name=to]", "2026-11-02")
    page.click("form[data-testid=calls-filter] button[type=submit]")
    rows = page.locator("[data-testid=calls] tbody tr")
    rows.first.wait_for()
    assert sorted(int(r.get_attribute("data-attempt") or 0) for r in rows.all()) == sorted(
        [sale, busy, machine]
    )
    assert "2026-11-02 23:30:00" in rows.first.inner_text()  # the campaign's New York evening
    page.screenshot(path=str(artifacts / "dashboard-calls.png"), full_page=True)

    page.select_option("select[name=recorded]", "true")
    page.click("form[data-testid=calls-filter] button[type=submit]")
    page.wait_for_url("**recorded=true**")
    assert rows.count() == 1
    page.click(f"tr[data-attempt='{sale}'] a:text('play')")
    page.wait_for_url(f"**/attempts/{sale}#recording")
    assert page.locator("#recording audio").get_attribute("src") == (
        f"/api/v1/attempts/{sale}/recording"
    )
    assert "Al Agent" in page.locator("main").inner_text()
    page.screenshot(path=str(artifacts / "dashboard-call.png"), full_page=True)
