"""The wallboard in headless Chromium against the real dashboard: it opens with the figures,
then follows changes made in Redis and PostgreSQL (an agent goes ready, a call connects, calls
get abandoned) without a reload, and time in state counts up. Screenshot in tests/artifacts/."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import psycopg
import pytest
import redis
from playwright.sync_api import Page, expect

from campaigns.agents import Agent, AgentSpec
from campaigns.campaign import Campaign, CampaignState
from campaigns.storage import agent_store, campaign_store, user_store
from campaigns.storage.db import open_pool
from dialer import call_commands, live_events, worker_registry
from dialer.agents.service import AgentService
from dialer.bootstrap import redis_client
from dialer.scheduler.published import PACING_KEY
from dialer.worker_registry import WorkerStatus
from tests.agent_factories import make_pause_codes
from tests.dashboard_fixtures import password_hash
from tests.factories import make_campaign, make_contacts
from tests.integration.report_data import attempt


@pytest.fixture
def agents(
    db: psycopg.Connection[Any], database_url: str, redis_url: str
) -> Iterator[AgentService]:
    """The real AgentService on the dashboard's Redis database and PostgreSQL."""
    make_pause_codes(db, "break", "lunch")
    pool = open_pool(database_url, max_size=2, name="wallboard-browser")
    service = AgentService(redis_client(redis_url), pool)
    service.ensure_built(datetime.now(UTC))
    yield service
    pool.close()


def _agent(db: psycopg.Connection[Any], name: str, campaign: Campaign) -> Agent:
    spec = AgentSpec(sip_uri=f"sip:{name}@127.0.0.1:5090", campaign_ids=(campaign.id,))
    agent = agent_store.insert_agent(db, name, name.title(), password_hash(), spec)
    db.commit()
    return agent


def _scheduler_and_workers(live: redis.Redis, campaign: Campaign) -> None:
    """What the scheduler and two workers publish while the campaign runs."""
    decision = {"at": datetime.now(UTC).isoformat(), "dial_level": 1.5, "reason": "predictive",
                "calls_in_flight": 3, "ready_agents": 2}  # fmt: skip
    live.set(PACING_KEY + str(campaign.id), json.dumps(decision), ex=60)
    worker_registry.publish(live, WorkerStatus("w1", 2, 0, "127.0.0.1:5070", 1))
    worker_registry.publish(live, WorkerStatus("w2", 2, 1, "127.0.0.1:5072", 2))


def test_the_wallboard_follows_the_floor_without_a_reload(
    sign_in: Callable[[str], Page],
    db: psycopg.Connection[Any],
    agents: AgentService,
    redis_url: str,
    artifacts: Path,
) -> None:
    campaign = make_campaign(db, "Winter offers", abandon_target=0.02)
    campaign_store.set_campaign_state(db, campaign.id, CampaignState.RUNNING)
    make_contacts(db, campaign, ["+12125550101", "+12125550102"])
    make_contacts(db, campaign, ["+12125550103"], state="done")
    now = datetime.now(UTC)
    for _ in range(20):
        attempt(db, campaign.id, now - timedelta(minutes=3), "connected", answered_after_s=4)
    for _ in range(6):
        attempt(db, campaign.id, now - timedelta(minutes=3), "no_answer")
    bea, cal = _agent(db, "bea", campaign), _agent(db, "cal", campaign)
    agents.login(bea.id, now - timedelta(minutes=5))
    agents.login(cal.id, now - timedelta(minutes=5))
    agents.ready(cal.id, now - timedelta(seconds=70))
    db.commit()
    live = redis_client(redis_url)
    _scheduler_and_workers(live, campaign)

    page = sign_in("supervisor")
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    response = page.goto(f"/wallboard/{campaign.id}")
    assert response is not None and response.status == 200
    page.evaluate("window.notReloaded = true")
    expect(page.get_by_test_id("agents-ready")).to_have_text("1")
    expect(page.get_by_test_id("agents-paused")).to_have_text("1")
    expect(page.get_by_test_id("dials-15m")).to_have_text("26")
    expect(page.get_by_test_id("answers-15m")).to_have_text("20")
    expect(page.get_by_test_id("dialable-now")).not_to_have_text("—")
    expect(page.get_by_test_id("abandon-today")).to_have_class("level-ok")
    expect(page.get_by_test_id("dial-ratio")).to_have_text("1.50")
    expect(page.get_by_test_id("lines")).to_have_text("3 / 4")
    cal_time = page.locator(f'tr[data-agent="{cal.id}"] td[data-since]')
    first = cal_time.inner_text()
    assert first.startswith("1:1")  # 70 s and counting

    # An agent goes ready: the live event brings the new figures.
    agents.ready(bea.id, datetime.now(UTC))
    expect(page.get_by_test_id("agents-ready")).to_have_text("2", timeout=5000)
    expect(page.get_by_test_id("agents-paused")).to_have_text("0")
    expect(page.locator(f'tr[data-agent="{bea.id}"] .badge')).to_have_text("ready")
    # ... through the event stream, not only the periodic refresh.
    assert int(page.locator("[data-wallboard]").get_attribute("data-events-seen") or 0) >= 1

    # A call is answered and connects to Bea, as a worker does it: the attempt's row, the
    # agent's claim and connection in Redis, the event.
    call = attempt(db, campaign.id, datetime.now(UTC) - timedelta(seconds=20), None)
    claimed = agents.claim(campaign.id, call, datetime.now(UTC), only_agent_id=bea.id)
    assert claimed is not None
    agents.connected(bea.id, call, datetime.now(UTC))
    db.execute(
        "UPDATE call_attempts SET state = 'connected', answer_at = now(),"
        " agent_connect_at = now(), agent_id = %s WHERE id = %s",
        (bea.id, call),
    )
    db.commit()
    live_events.publish(
        live,
        live_events.CallConnected(call, campaign.id, bea.id, datetime.now(UTC)),
    )
    expect(page.get_by_test_id("calls-connected")).to_have_text("1", timeout=5000)
    expect(page.get_by_test_id("agents-on_call")).to_have_text("1")
    expect(page.locator(f'tr[data-agent="{bea.id}"] .badge')).to_have_text("on_call")
    expect(page.get_by_test_id("dials-15m")).to_have_text("27")

    # Two abandoned answers today: 2 of 22 live answers, past the 2 % target and the 3 % cap.
    minute_ago = datetime.now(UTC) - timedelta(minutes=1)
    for _ in range(2):
        attempt(db, campaign.id, minute_ago, "abandoned", answered_after_s=3)
    db.commit()
    expect(page.get_by_test_id("abandon-today")).to_have_class("level-over_cap", timeout=8000)
    expect(page.get_by_test_id("abandon-today").locator(".rate")).to_have_text("9.1 %")

    # Time in state counts up in the page between updates.
    assert cal_time.inner_text() != first
    assert page.evaluate("window.notReloaded") is True
    assert errors == []
    _scheduler_and_workers(live, campaign)  # heartbeats last 5 s: fresh ones for the picture
    expect(page.get_by_test_id("lines")).to_have_text("3 / 4", timeout=8000)
    page.screenshot(path=str(artifacts / "wallboard.png"), full_page=True)


def test_an_agent_may_not_open_the_wallboard(
    sign_in: Callable[[str], Page], db: psycopg.Connection[Any]
) -> None:
    campaign = make_campaign(db, "Hidden")
    db.commit()
    page = sign_in("agent")
    assert page.locator("nav.menu a", has_text="Wallboard").count() == 0
    response = page.goto(f"/wallboard/{campaign.id}")
    assert response is not None and response.status == 403


def test_a_supervisor_listens_in_from_the_agents_row_and_reads_what_the_worker_did(
    sign_in: Callable[[str], Page],
    db: psycopg.Connection[Any],
    agents: AgentService,
    redis_url: str,
) -> None:
    campaign = make_campaign(db, "Coaching")
    campaign_store.set_campaign_state(db, campaign.id, CampaignState.RUNNING)
    bea = _agent(db, "bea", campaign)
    sue = user_store.find_user(db, "sue")  # the signed-in supervisor (browser conftest)
    user_store.set_phone(db, sue.id, "sip:sue@127.0.0.1:5094")
    now = datetime.now(UTC)
    agents.login(bea.id, now - timedelta(minutes=2))
    agents.ready(bea.id, now - timedelta(minutes=1))
    call = attempt(db, campaign.id, now - timedelta(seconds=20), None)
    assert agents.claim(campaign.id, call, now, only_agent_id=bea.id) is not None
    agents.connected(bea.id, call, now)
    db.execute(
        "UPDATE call_attempts SET state = 'connected', answer_at = now(),"
        " agent_connect_at = now(), agent_id = %s WHERE id = %s",
        (bea.id, call),
    )
    db.commit()

    page = sign_in("supervisor")
    assert page.goto(f"/wallboard/{campaign.id}") is not None
    row = page.locator(f'tr[data-agent="{bea.id}"]')
    row.locator('button[data-supervise-mode="listen"]').click()
    status = page.locator("[data-supervise-status]")
    expect(status).to_contain_text("listen asked, ringing sip:sue@127.0.0.1:5094")
    live = redis_client(redis_url)
    [sent] = [json.loads(raw) for raw in live.lrange(call_commands.command_key(call), 0, -1)]
    assert sent["command"] == "listen" and sent["phone"] == "sip:sue@127.0.0.1:5094"
    # The worker's answer comes back as a notice for supervisors (no agent id).
    notice = live_events.CallNotice(call, campaign.id, None, "listen refused: no free line", now)
    live_events.publish(live, notice)
    expect(status).to_have_text(f"Call {call}: listen refused: no free line", timeout=5000)
