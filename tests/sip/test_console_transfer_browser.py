"""Transfer from the agent console in headless Chromium, during a real call.

The agent signs in and goes ready on the page; a real worker dials a sipp carrier that answers
and bridges the agent's phone (`dialer softphone --auto-answer`). The agent first types a
number off the campaign's allow list (the page shows why it is refused, the call goes on), then
an allowed one and clicks Transfer: the same sipp answers the third party, the agent's page goes
to wrap-up and shows the worker's notice, and the attempt records the transfer.

Uses the browser fixtures of tests/conftest.py (one Playwright per test session)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from campaigns.agents import AgentState
from campaigns.storage.db import Connection
from dialer import call_commands
from dialer.bootstrap import redis_client
from dialer.carrier import Scenario, SippCarrier
from tests.dashboard_fixtures import TEST_PASSWORD

from .agent_floor import OUTCOME, Floor
from .softphone_process import SoftphoneProcess
from .test_console_call_browser import _agent_on
from .workers_harness import enqueue, running_workers, wait_ended

pytestmark = [pytest.mark.sip, pytest.mark.usefixtures("service_env")]

Carrier = Callable[[Scenario], SippCarrier]
CALL_TIMEOUT_MS = 60_000
THIRD_PARTY = "+12025550199"


def test_an_agent_transfers_a_real_call_from_the_console(
    db: Connection,
    service_env: dict[str, str],
    carrier: Carrier,
    tmp_path: Path,
    page: Page,
    artifacts: Path,
    agent_phone: SoftphoneProcess,
) -> None:
    customer = carrier(Scenario.ANSWER_AND_WAIT)
    floor = Floor.on(
        db, service_env["REDIS_URL"], customer, transfer_destinations=("+1202555XXXX",)
    )
    [uri] = agent_phone.ready_uris()
    _agent_on(floor, uri)

    page.goto("/login")
    page.fill("input[name=username]", "dora")
    page.fill("input[name=password]", TEST_PASSWORD)
    page.click("main button[type=submit]")
    page.wait_for_url("**/console")
    page.get_by_role("button", name="Log in").click()
    page.get_by_role("button", name="Ready").click()
    state = page.locator("[data-live=state]")
    expect(state).to_have_text("ready")
    floor.wait_state("dora", AgentState.READY)

    with running_workers(service_env, 2, tmp_path) as workers:
        [attempt] = floor.attempts("+12025550192")
        enqueue(workers.redis_url, [attempt])
        expect(state).to_have_text("on call", timeout=CALL_TIMEOUT_MS)
        number = page.get_by_label("Transfer to (E.164 number)")

        number.fill("+442079460000")
        page.get_by_role("button", name="Transfer", exact=True).click()
        expect(page.locator("[data-live=error]")).to_contain_text(
            "not on this campaign's list of transfer destinations"
        )
        expect(state).to_have_text("on call")

        number.fill(THIRD_PARTY)
        page.get_by_role("button", name="Transfer", exact=True).click()
        expect(state).to_have_text("wrap up", timeout=15_000)
        expect(page.locator("[data-live=notice]")).to_contain_text(
            f"Transferred to {THIRD_PARTY}", timeout=10_000
        )
        page.screenshot(path=str(artifacts / "console-call-transferred.png"), full_page=True)
        floor.wait_state("dora", AgentState.WRAP_UP)
        # The customer and the third party talk on; the test ends it here.
        call_commands.request_hangup(redis_client(workers.redis_url), attempt, "test")
        row = wait_ended(db, [attempt])[attempt]

    assert row[OUTCOME] == "connected"
    transfer = db.execute(
        "SELECT transfer_to, transfer_outcome FROM call_attempts WHERE id = %s", (attempt,)
    ).fetchone()
    assert transfer == (THIRD_PARTY, "answered")
