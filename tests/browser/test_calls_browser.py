"""The Calls pages in headless Chromium: a supervisor opens them from the menu, narrows them to
the recorded calls of one campaign, and opens a call to play it, outbound then inbound."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import psycopg
from playwright.sync_api import Locator, Page

from campaigns.storage import agent_store, user_store
from tests.attempt_factories import evening_calls, evening_inbound_calls


def _find_that_evening(page: Page) -> Locator:
    """Narrow the list to 2 November (the factories' evening) and wait for its rows."""
    page.fill("input[name=from]", "2026-11-02")
    page.fill("input[name=to]", "2026-11-02")
    page.click("form[data-testid=calls-filter] button[type=submit]")
    rows = page.locator("[data-testid=calls] tbody tr")
    rows.first.wait_for()
    return rows


def _ids(rows: Locator, attribute: str) -> list[int]:
    return sorted(int(row.get_attribute(attribute) or 0) for row in rows.all())


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
    rows = _find_that_evening(page)
    assert _ids(rows, "data-attempt") == sorted([sale, busy, machine])
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

    # The inbound side: the same campaign's queue, by the tab above the filter.
    answered, abandoned, _ = evening_inbound_calls(db, al.id, campaign)
    page.click("a:text('Calls of Evening')")
    page.click("nav.tabs a:text('Inbound')")
    inbound = _find_that_evening(page)
    assert page.locator("nav.menu a.active").inner_text() == "Calls"
    assert _ids(inbound, "data-inbound-call") == sorted([answered, abandoned])
    page.screenshot(path=str(artifacts / "dashboard-inbound-calls.png"), full_page=True)
    page.click(f"tr[data-inbound-call='{answered}'] a:text('play')")
    page.wait_for_url(f"**/inbound-calls/{answered}#recording")
    assert page.locator("#recording audio").get_attribute("src") == (
        f"/api/v1/inbound-calls/{answered}/recording"
    )
    page.screenshot(path=str(artifacts / "dashboard-inbound-call.png"), full_page=True)
