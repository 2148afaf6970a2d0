"""Browser-tier fixtures: accounts to sign in with. The browser, the page and the dashboard they
open live in tests/conftest.py, shared with the sip tier's console test: one `sync_playwright()`
per test session (a second one inside the first's event loop fails)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import psycopg
import pytest
from playwright.sync_api import Page

from campaigns.agents import AgentSpec
from campaigns.storage import agent_store, user_store
from campaigns.users import Role
from tests.dashboard_fixtures import TEST_PASSWORD, password_hash


@pytest.fixture
def accounts(db: psycopg.Connection[Any]) -> dict[str, str]:
    """One user per role (password TEST_PASSWORD); the agent has a softphone."""
    user_store.insert_user(db, "ada", Role.ADMIN, password_hash(), "Ada Admin")
    user_store.insert_user(db, "sue", Role.SUPERVISOR, password_hash(), "Sue Supervisor")
    agent_store.insert_agent(
        db, "al", "Al Agent", password_hash(), AgentSpec(sip_uri="sip:al@127.0.0.1:5090")
    )
    db.commit()
    return {"admin": "ada", "supervisor": "sue", "agent": "al"}


@pytest.fixture
def sign_in(page: Page, accounts: dict[str, str]) -> Callable[[str], Page]:
    def sign_in(role: str) -> Page:
        page.goto("/login")
        page.fill("input[name=username]", accounts[role])
        page.fill("input[name=password]", TEST_PASSWORD)
        page.click("main button[type=submit]")
        page.wait_for_load_state("networkidle")
        return page

    return sign_in
