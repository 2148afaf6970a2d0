"""The agent console in headless Chromium: log in to a campaign, ready, pause with a reason, the
timer running, and a change made elsewhere (a supervisor's pause) pushed to the page by
server-sent events with no reload. The call itself (screen pop, disposition) is the sip tier's
tests/sip/test_console_call_browser.py, with a real carrier and worker."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import psycopg
import pytest
from playwright.sync_api import Page, expect

from campaigns.agents import Agent, AgentSpec
from campaigns.campaign import Campaign
from campaigns.storage import agent_store
from dialer.agents.service import AgentService, OneConnection
from dialer.bootstrap import redis_client
from tests.agent_factories import make_pause_codes
from tests.dashboard_fixtures import TEST_PASSWORD, password_hash
from tests.factories import make_campaign


@pytest.fixture
def campaign(db: psycopg.Connection[Any]) -> Campaign:
    make_pause_codes(db, "break")
    db.execute("INSERT INTO pause_codes (code, label) VALUES ('lunch', 'Lunch break')")
    return make_campaign(db, "Spring renewals", trunk_uri="sip:{number}@127.0.0.1:5999")


@pytest.fixture
def carla(db: psycopg.Connection[Any], campaign: Campaign) -> Agent:
    spec = AgentSpec(sip_uri="sip:carla@127.0.0.1:5091", campaign_ids=(campaign.id,))
    agent = agent_store.insert_agent(db, "carla", "Carla Agent", password_hash(), spec)
    db.commit()
    return agent


@pytest.fixture
def service(db: psycopg.Connection[Any], redis_url: str) -> AgentService:
    return AgentService(redis_client(redis_url), OneConnection(db))


def sign_in_agent(page: Page, username: str) -> None:
    page.goto("/login")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", TEST_PASSWORD)
    page.click("main button[type=submit]")
    page.wait_for_url("**/console")


def _timer_seconds(page: Page) -> int:
    minutes, seconds = page.locator("[data-live=timer]").inner_text().split(":")[-2:]
    return int(minutes) * 60 + int(seconds)


def test_an_agent_logs_in_goes_ready_and_pauses_with_a_reason(
    page: Page,
    artifacts: Path,
    carla: Agent,
    service: AgentService,
    db: psycopg.Connection[Any],
) -> None:
    sign_in_agent(page, "carla")
    state = page.locator("[data-live=state]")
    expect(state).to_have_text("logged out")
    page.screenshot(path=str(artifacts / "console-logged-out.png"), full_page=True)

    page.get_by_role("button", name="Log in").click()
    expect(state).to_have_text("paused")
    expect(page.locator("[data-live=reason]")).to_have_text("Just logged in")
    expect(page.locator("[data-live=campaigns]")).to_have_text("Spring renewals")

    page.get_by_role("button", name="Ready").click()
    expect(state).to_have_text("ready")
    expect(page.get_by_role("button", name="Ready")).to_be_disabled()
    assert service.status(carla.id).state.value == "ready"
    first = _timer_seconds(page)
    page.wait_for_timeout(2600)
    assert _timer_seconds(page) >= first + 2, "the timer in the state runs"
    page.screenshot(path=str(artifacts / "console-ready.png"), full_page=True)

    page.get_by_label("Pause reason").select_option(label="Lunch break")
    page.get_by_role("button", name="Pause", exact=True).click()
    expect(state).to_have_text("paused")
    expect(page.locator("[data-live=reason]")).to_have_text("Lunch break")
    expect(page.get_by_role("button", name="Ready")).to_be_enabled()
    page.screenshot(path=str(artifacts / "console-paused.png"), full_page=True)

    live = service.status(carla.id)
    assert (live.state.value, live.reason) == ("paused", "lunch")
    history = db.execute(
        "SELECT state, reason FROM agent_state_history WHERE agent_id = %s ORDER BY seq",
        (carla.id,),
    ).fetchall()
    assert history[-3:] == [("paused", "login"), ("ready", None), ("paused", "lunch")]


def test_a_pause_made_elsewhere_reaches_the_open_page_without_a_reload(
    page: Page, artifacts: Path, carla: Agent, service: AgentService
) -> None:
    sign_in_agent(page, "carla")
    page.get_by_role("button", name="Log in").click()
    page.get_by_role("button", name="Ready").click()
    expect(page.locator("[data-live=state]")).to_have_text("ready")
    loaded = page.evaluate("() => performance.timeOrigin")

    service.pause(carla.id, "break", datetime.now(UTC))  # as a supervisor's API call would

    expect(page.locator("[data-live=state]")).to_have_text("paused")
    expect(page.locator("[data-live=reason]")).to_have_text("break")
    assert page.evaluate("() => performance.timeOrigin") == loaded, "the page was not reloaded"
    page.screenshot(path=str(artifacts / "console-paused-by-supervisor.png"), full_page=True)
