"""The dashboard in headless Chromium: each role signs in, an admin sets up a campaign, every
management page opens, forbidden pages answer 403; screenshots land in tests/artifacts/."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import psycopg
import pytest
from playwright.sync_api import Page

from campaigns.storage import campaign_store
from dashboard.routes.assets import PLOTLY_VERSION


def _shot(page: Page, artifacts: Path, name: str) -> None:
    page.screenshot(path=str(artifacts / f"dashboard-{name}.png"), full_page=True)


def test_the_login_page_and_a_wrong_password(page: Page, artifacts: Path, accounts: Any) -> None:
    page.goto("/login")
    _shot(page, artifacts, "login")
    page.fill("input[name=username]", "ada")
    page.fill("input[name=password]", "wrong password")
    page.click("main button[type=submit]")
    assert page.locator(".problems").inner_text() == "Wrong username or password."


@pytest.mark.parametrize(
    ("role", "landing", "heading"),
    [("admin", "/campaigns", "Campaigns"), ("supervisor", "/campaigns", "Campaigns"),
     ("agent", "/console", "Al Agent")],
)  # fmt: skip
def test_each_role_signs_in_to_its_start_page(
    sign_in: Callable[[str], Page], artifacts: Path, role: str, landing: str, heading: str
) -> None:
    page = sign_in(role)
    assert page.url.endswith(landing)
    assert page.locator("h1").first.inner_text().startswith(heading)
    menu = page.locator("nav.menu a").all_inner_texts()
    if role == "agent":
        assert menu == ["My console"]
    elif role == "supervisor":
        assert "Trunks" not in menu and "Users" not in menu and "Campaigns" in menu
    else:
        assert {"Campaigns", "Do not call", "Agents", "Trunks", "Users"} <= set(menu)
    _shot(page, artifacts, f"home-{role}")


@pytest.mark.parametrize(
    ("role", "url"),
    [("supervisor", "/users"), ("supervisor", "/trunks"), ("agent", "/campaigns"),
     ("agent", "/dnc"), ("agent", "/agents")],
)  # fmt: skip
def test_a_role_that_may_not_see_a_page_gets_403(
    sign_in: Callable[[str], Page], artifacts: Path, role: str, url: str
) -> None:
    page = sign_in(role)
    response = page.goto(url)
    assert response is not None and response.status == 403
    assert "403" in page.locator("h1").inner_text()
    _shot(page, artifacts, f"403-{role}-{url.strip('/').replace('/', '-')}")


def test_an_admin_adds_a_trunk_creates_a_campaign_and_starts_it(
    sign_in: Callable[[str], Page], artifacts: Path, db: psycopg.Connection[Any]
) -> None:
    page = sign_in("admin")
    page.goto("/trunks/new")
    page.fill("input[name=name]", "carrier")
    page.fill("input[name=uri_template]", "sip:{number}@127.0.0.1:5060")
    page.click("main button[type=submit]")
    assert "Trunk carrier created." in page.locator(".flash").inner_text()

    page.goto("/campaigns/new")
    page.fill("input[name=name]", "Spring sale")
    page.fill("input[name=caller_id]", "+12025550100")
    page.select_option("select[name=trunk]", "carrier")
    page.select_option("select[name=dial_mode]", "progressive")
    page.fill("input[name=hours_sunday]", "")
    page.check("input[name=schedule_days][value='0']")
    _shot(page, artifacts, "campaign-form")
    page.click("main button[type=submit]")
    page.wait_for_url("**/campaigns/*")
    page.click("button[value=start]")
    assert "is now running" in page.locator(".flash").inner_text()
    _shot(page, artifacts, "campaign-running")
    campaign = campaign_store.find_campaign(db, "Spring sale")
    assert campaign.state.value == "running"
    assert campaign.spec.calling_hours.sunday is None


def test_a_bad_campaign_form_shows_its_problems(
    sign_in: Callable[[str], Page], artifacts: Path
) -> None:
    page = sign_in("supervisor")
    page.goto("/campaigns/new")
    page.fill("input[name=name]", "Bad")
    page.fill("input[name=caller_id]", "12345")
    page.fill("input[name=ring_timeout_s]", "120")
    page.fill("input[name=hours_weekday]", "21:00-08:00")
    page.click("main button[type=submit]")
    problems = page.locator(".problems").inner_text()
    assert "caller_id" in problems and "calling_hours.weekday" in problems
    _shot(page, artifacts, "campaign-form-problems")


def test_every_management_page_opens_for_an_admin(
    sign_in: Callable[[str], Page], artifacts: Path, db: psycopg.Connection[Any]
) -> None:
    page = sign_in("admin")
    page.goto("/campaigns/new")
    page.fill("input[name=name]", "Demo")
    page.fill("input[name=caller_id]", "+12025550100")
    page.click("main button[type=submit]")
    page.wait_for_url("**/campaigns/*")
    campaign_id = campaign_store.find_campaign(db, "Demo").id
    page.goto(f"/dnc?campaign_id={campaign_id}")
    page.fill("form.add input[name=phone]", "202 555 0123")
    page.fill("form.add input[name=source]", "customer request")
    page.click("form.add button")
    page.goto("/agents/pause-codes")
    page.fill("input[name=code]", "lunch")
    page.fill("input[name=label]", "Lunch break")
    page.click("form.add button")
    pages = {
        "campaigns": "/campaigns", "campaign": f"/campaigns/{campaign_id}",
        "campaign-edit": f"/campaigns/{campaign_id}/edit",
        "dispositions": f"/campaigns/{campaign_id}/dispositions",
        "dnc": f"/dnc?campaign_id={campaign_id}", "agents": "/agents", "agent-new": "/agents/new",
        "pause-codes": "/agents/pause-codes", "trunks": "/trunks", "users": "/users",
        "password": "/account/password",
    }  # fmt: skip
    for name, url in pages.items():
        response = page.goto(url)
        assert response is not None and response.status == 200, url
        _shot(page, artifacts, name)
    page.goto(f"/dnc?campaign_id={campaign_id}")
    assert "+12025550123" in page.locator("table").inner_text()
    # Choosing another list reloads the page (a script, since the CSP forbids inline handlers).
    page.select_option("select[name=campaign_id]", "")
    page.wait_for_function("() => document.querySelector('h1').innerText.includes('global')")


def test_the_agent_console(sign_in: Callable[[str], Page], artifacts: Path) -> None:
    page = sign_in("agent")
    assert "sip:al@127.0.0.1:5090" in page.locator("main").inner_text()
    _shot(page, artifacts, "console")


def test_fetch_writes_from_a_page_carry_the_csrf_header(sign_in: Callable[[str], Page]) -> None:
    page = sign_in("supervisor")
    with_token = page.evaluate(
        """() => dialerFetch('/api/v1/dnc', {method: 'POST', json: {phone: '+12025550155'}})
                 .then(r => r.status)"""
    )
    without = page.evaluate(
        """() => fetch('/api/v1/dnc', {method: 'POST', headers: {'Content-Type':
                 'application/json'}, body: JSON.stringify({phone: '+12025550156'})})
                 .then(r => r.status)"""
    )
    assert (with_token, without) == (201, 400)


def test_plotly_js_loads_from_the_dashboard_with_the_network_cut(
    sign_in: Callable[[str], Page],
) -> None:
    page = sign_in("supervisor")
    page.add_script_tag(url=f"/static/vendor/plotly-{PLOTLY_VERSION}.min.js")
    assert page.evaluate("() => typeof Plotly.newPlot") == "function"
