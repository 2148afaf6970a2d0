"""Speed dial on the agent console in headless Chromium: the agent saves an entry of their own
in the console's speed-dial card, a campaign's entry is listed beside it, a DNC entry's Dial
shows the refusal's reason, and the other's Dial makes a real worker call the number (sipp
answers) and bridge the agent's phone: the console goes on call."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from campaigns.agents import AgentState
from campaigns.speed_dial import SpeedDialSpec
from campaigns.storage import speed_dial_store, user_store
from campaigns.storage.db import Connection
from dialer.carrier import Scenario, SippCarrier
from dialer.telephony.ports import free_udp_port
from tests.dashboard_fixtures import TEST_PASSWORD, password_hash

from .agent_floor import AGENT_ID, OUTCOME
from .softphone_process import SoftphoneProcess
from .speed_dial_floor import ESCALATIONS, SpeedDialFloor
from .workers_harness import running_workers, wait_ended

pytestmark = [pytest.mark.sip, pytest.mark.usefixtures("service_env")]

Carrier = Callable[[Scenario], SippCarrier]
OLD_DESK = "+442079460003"


def test_an_agent_keeps_and_dials_speed_dial_entries_from_the_console(
    db: Connection,
    service_env: dict[str, str],
    carrier: Carrier,
    tmp_path: Path,
    page: Page,
    artifacts: Path,
) -> None:
    customer = carrier(Scenario.ANSWER_AND_WAIT)
    port = free_udp_port()
    setup = SpeedDialFloor(db, service_env["REDIS_URL"], customer, port)
    phone = SoftphoneProcess("--port", str(port), "--user", "pia", "--auto-answer")
    try:
        assert phone.ready_uris() == [setup.uri]
        user_store.set_password(db, setup.pia.user_id, password_hash())
        db.execute("INSERT INTO dnc_entries (phone_e164, source) VALUES (%s, 'asked')", (OLD_DESK,))
        setup.floor.service.logout(setup.pia.id, datetime.now(UTC))  # she logs in on the page

        page.goto("/login")
        page.fill("input[name=username]", "pia")
        page.fill("input[name=password]", TEST_PASSWORD)
        page.click("main button[type=submit]")
        page.wait_for_url("**/console")
        page.get_by_role("button", name="Log in").click()
        page.get_by_role("button", name="Ready").click()
        expect(page.locator("[data-live=state]")).to_have_text("ready")

        card = page.locator("[data-speed-dial]")
        card.get_by_label("Slot").fill("3")
        card.get_by_label("Number").fill(OLD_DESK)
        card.get_by_label("Label").fill("Old desk")
        card.get_by_role("button", name="Save").click()
        expect(card.locator("li[data-slot='3']")).to_contain_text("Old desk")
        expect(card.locator("li[data-slot='2']")).to_contain_text("Escalations")
        assert speed_dial_store.agent_entries(db, setup.pia.id)[0].spec == SpeedDialSpec(
            3, OLD_DESK, "Old desk"
        )

        card.get_by_role("button", name="Dial Old desk").click()
        expect(card.locator("[data-speed-dial-status]")).to_contain_text("do-not-call")
        assert setup.floor.status("pia").state is AgentState.READY

        with running_workers(service_env, 2, tmp_path):
            card.get_by_role("button", name="Dial Escalations").click()
            expect(card.locator("[data-speed-dial-status]")).to_contain_text("Calling Escalations")
            expect(page.locator("[data-live=state]")).to_have_text("on call", timeout=60_000)
            expect(page.locator("[data-live=contact]")).to_contain_text("a number dialed directly")
            page.screenshot(path=str(artifacts / "console-speed-dial.png"), full_page=True)
            attempt = setup.the_call(db)
            page.get_by_role("button", name="Hang up").click()
            row = wait_ended(db, [attempt])[attempt]
    finally:
        phone.stop()

    assert row[OUTCOME] == "connected" and row[AGENT_ID] == setup.pia.id
    called = db.execute(
        "SELECT called_number, kind FROM call_attempts WHERE id = %s", (attempt,)
    ).fetchone()
    assert called == (ESCALATIONS, "manual")
