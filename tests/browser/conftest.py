"""Headless Chromium (Debian's /usr/bin/chromium, never a downloaded browser) against the real
dashboard served by `dialer dashboard` (gunicorn) in a subprocess on a free port.

Requests leaving 127.0.0.1 are aborted, so a page that needed a CDN would break here as it
would on an offline call-centre LAN.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import psycopg
import pytest
from playwright.sync_api import Browser, Page, Route

from campaigns.agents import AgentSpec
from campaigns.storage import agent_store, user_store
from campaigns.users import Role
from tests.conftest import ROOT
from tests.dashboard_fixtures import TEST_PASSWORD, password_hash


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _wait_until_up(url: str, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"dialer dashboard exited with {process.returncode}:\n{log.read_text()}")
        try:
            with urllib.request.urlopen(url + "/login", timeout=2) as response:
                if response.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            time.sleep(0.3)
    pytest.fail(f"the dashboard did not answer within 60 s:\n{log.read_text()}")


@pytest.fixture(scope="session")
def dashboard_url(
    database_url: str, redis_base_url: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    """`dialer dashboard` as an operator starts it, for the whole browser session."""
    port = _free_port()
    data_dir = tmp_path_factory.mktemp("dashboard-data")
    log = data_dir / "dashboard.log"
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "REDIS_URL": redis_base_url,
        "DIALER_DATA_DIR": str(data_dir),
        "PYTHONPATH": str(ROOT),
    }
    with open(log, "wb") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "dialer", "dashboard", "--port", str(port),
             "--workers", "1", "--threads", "8"],
            env=env, stdout=out, stderr=subprocess.STDOUT, cwd=ROOT,
        )  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_until_up(url, process, log)
        yield url
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()


def _local_only(route: Route) -> None:
    if route.request.url.startswith(("http://127.0.0.1", "data:")):
        route.continue_()
    else:
        route.abort()


@pytest.fixture
def page(browser: Browser, dashboard_url: str, db: Any, redis_url: str) -> Iterator[Page]:
    """A fresh browser context (no cookies) on an emptied database and Redis database."""
    context = browser.new_context(base_url=dashboard_url, viewport={"width": 1280, "height": 860})
    context.route("**/*", _local_only)
    tab = context.new_page()
    tab.set_default_timeout(15_000)
    yield tab
    context.close()


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
