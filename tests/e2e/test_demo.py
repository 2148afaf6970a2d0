"""A short demo, end to end: the real processes on real PostgreSQL and Redis, checked afterwards
from the database (the outcomes add up, every rule held) and in headless Chromium (the reports
and the live wallboard show the calls that were made).
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import psycopg
import pytest
from playwright.sync_api import Browser

from campaigns.calling_window import all_open
from campaigns.campaign import CampaignState
from campaigns.storage import campaign_store
from tests.conftest import ROOT

RUN_S = 75


def _free_tcp_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def demo_run(
    db: psycopg.Connection[Any], database_url: str, redis_url: str, tmp_path: Path
) -> Iterator[dict[str, Any]]:
    port = _free_tcp_port()
    log = tmp_path / "demo.log"
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "REDIS_URL": redis_url,
        "DIALER_DATA_DIR": str(tmp_path / "data"),
        "PYTHONPATH": str(ROOT),
    }
    with log.open("wb") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "dialer", "demo", "--agents", "3", "--numbers", "400",
             "--answer-rate", "0.5", "--talk-mean", "12", "--port", str(port)],
            env=env, stdout=out, stderr=subprocess.STDOUT, cwd=ROOT,
        )  # fmt: skip
    run = {
        "process": process,
        "url": f"http://127.0.0.1:{port}",
        "log": log,
        "data": tmp_path / "data",
    }
    try:
        yield run
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGINT)
            try:
                process.wait(timeout=90)
            except subprocess.TimeoutExpired:
                process.kill()


def _wait_for_calls(db: psycopg.Connection[Any], run: dict[str, Any], connected: int) -> None:
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline:
        if run["process"].poll() is not None:
            pytest.fail(f"the demo exited early:\n{run['log'].read_text()[-4000:]}")
        row = db.execute(
            "SELECT count(*) FROM call_attempts WHERE outcome = 'connected'"
        ).fetchone()
        if row and row[0] >= connected:
            return
        time.sleep(2)
    pytest.fail(f"no connected calls within 3 minutes:\n{run['log'].read_text()[-4000:]}")


def _pages_show_data(
    run: dict[str, Any], campaign_id: int, browser: Browser, artifacts: Path
) -> None:
    password = (run["data"] / "demo-admin-password").read_text().strip()
    today = datetime.now().date().isoformat()
    context = browser.new_context(base_url=run["url"], viewport={"width": 1280, "height": 900})
    try:
        page = context.new_page()
        page.set_default_timeout(20_000)
        page.goto("/login")
        page.fill("input[name=username]", "admin")
        page.fill("input[name=password]", password)
        page.click("main button[type=submit]")
        page.wait_for_load_state("networkidle")
        for slug in ("outcomes", "calls"):
            response = page.goto(f"/reports/{slug}?from={today}&to={today}")
            assert response is not None and response.status == 200, slug
            page.locator(".report-chart .main-svg").first.wait_for()
            # A drawn bar or funnel means the demo's calls reached the report.
            assert page.locator(".report-chart .trace").count() > 0, slug
            page.screenshot(path=str(artifacts / f"e2e-report-{slug}.png"), full_page=True)
        # The live wallboard of the running demo: its robots on the floor, its dials counted.
        page.goto(f"/wallboard/{campaign_id}")
        page.locator("[data-agents] tr[data-agent]").first.wait_for()
        assert int(page.get_by_test_id("dials-15m").inner_text()) > 0
        page.screenshot(path=str(artifacts / "e2e-wallboard.png"), full_page=True)
    finally:
        context.close()


def test_a_short_demo_places_calls_that_add_up_and_keeps_every_rule(
    db: psycopg.Connection[Any], demo_run: dict[str, Any], browser: Browser, artifacts: Path
) -> None:
    _wait_for_calls(db, demo_run, connected=3)
    time.sleep(max(0, RUN_S - 60))
    demo = db.execute("SELECT id FROM campaigns WHERE name = 'Demo'").fetchone()
    assert demo is not None
    _pages_show_data(demo_run, int(demo[0]), browser, artifacts)
    process = demo_run["process"]
    process.send_signal(signal.SIGINT)
    assert process.wait(timeout=120) == 0, demo_run["log"].read_text()[-4000:]
    # Ctrl-C paused the campaign before the robots logged out, and said what it waits for.
    assert "stopping: robot agents finish their calls" in demo_run["log"].read_text()
    assert campaign_store.find_campaign(db, "Demo").state is CampaignState.PAUSED

    # Every attempt closed, and every call that connected had an agent.
    assert db.execute("SELECT count(*) FROM call_attempts WHERE state <> 'ended'").fetchone() == (
        0,
    )
    assert db.execute(
        "SELECT count(*) FROM call_attempts WHERE outcome = 'connected'"
        " AND (agent_id IS NULL OR agent_connect_at IS NULL)"
    ).fetchone() == (0,)
    # Abandonment within the cap.
    connected, abandoned = db.execute(
        "SELECT count(*) FILTER (WHERE outcome = 'connected'),"
        " count(*) FILTER (WHERE outcome = 'abandoned') FROM call_attempts"
    ).fetchone() or (0, 0)
    assert connected >= 3
    assert abandoned <= 0.03 * (connected + abandoned) or abandoned <= 1
    # No number on a DNC list was dialed.
    assert db.execute(
        "SELECT count(*) FROM call_attempts a JOIN dnc_entries d ON d.phone_e164 = a.called_number"
        " WHERE a.dial_at IS NOT NULL AND (d.campaign_id IS NULL OR d.campaign_id = a.campaign_id)"
    ).fetchone() == (0,)
    # No number dialed outside its calling window, in any of its zones.
    campaign = campaign_store.find_campaign(db, "Demo")
    dialed = db.execute(
        "SELECT a.dial_at, k.time_zones FROM call_attempts a JOIN contacts k ON k.id = a.contact_id"
        " WHERE a.dial_at IS NOT NULL"
    ).fetchall()
    assert dialed
    for dial_at, zones in dialed:
        assert all_open(dial_at, zones, campaign.spec.calling_hours), (dial_at, zones)
    # No number in two calls at once.
    assert db.execute(
        "SELECT count(*) FROM call_attempts a JOIN call_attempts b"
        " ON a.called_number = b.called_number AND a.id < b.id"
        " WHERE a.dial_at IS NOT NULL AND b.dial_at IS NOT NULL"
        " AND tstzrange(a.dial_at, a.hangup_at) && tstzrange(b.dial_at, b.hangup_at)"
    ).fetchone() == (0,)
    # The import kept its promises: DNC contacts stored as not dialable, not dropped.
    assert db.execute("SELECT count(*) FROM contacts WHERE state = 'dnc'").fetchone()[0] > 0  # type: ignore[index]
