"""Signing an agent in to the console in a real browser."""

from __future__ import annotations

from playwright.sync_api import Page

from tests.dashboard_fixtures import TEST_PASSWORD


def sign_in_agent(page: Page, username: str) -> None:
    page.goto("/login")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", TEST_PASSWORD)
    page.click("main button[type=submit]")
    page.wait_for_url("**/console")
