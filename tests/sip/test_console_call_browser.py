"""The agent console in headless Chromium receives a real call: an agent signs in, logs in to the
campaign and goes ready on the page; a real worker (`dialer workers`, pjsua2) dials a sipp
carrier, which answers; the call is bridged to the agent's phone (`dialer softphone
--auto-answer`), the page pops the contact (custom fields, earlier calls and their notes)
through server-sent events, the agent hangs up from the page and records a callback for
themselves. The stored rows are checked; screenshots land in tests/artifacts/.

Uses the browser fixtures of tests/conftest.py (one Playwright per test session)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from campaigns.agents import AgentState
from campaigns.attempt import Outcome
from campaigns.storage import attempt_store
from campaigns.storage.attempt_store import AttemptResult
from campaigns.storage.db import Connection
from dialer.carrier import Scenario, SippCarrier
from tests.factories import make_contacts

from .agent_floor import AGENT_ID, OUTCOME, Floor
from .console_page import ready_on_the_console
from .softphone_process import SoftphoneProcess
from .workers_harness import enqueue, queue_attempts, running_workers, wait_ended

pytestmark = [pytest.mark.sip, pytest.mark.usefixtures("service_env")]

Carrier = Callable[[Scenario], SippCarrier]
CALL_TIMEOUT_MS = 60_000


def _zone_where_it_is_midday(at: datetime) -> str:
    """An Etc/GMT zone in which ``at`` falls at about noon (inside every calling window)."""
    offset = (12 - at.hour + 12) % 24 - 12
    return "Etc/GMT" + (f"{-offset:+d}" if offset else "")


def _contact_with_history(floor: Floor, zone: str) -> int:
    """Grace Hopper, with a custom field and an earlier unanswered call that has a note."""
    [contact] = make_contacts(
        floor.db, floor.campaign, ["+12025550181"], [zone], first_name="Grace"
    )
    floor.db.execute(
        "UPDATE contacts SET last_name = 'Hopper', postal_code = '10001',"
        ' custom_fields = \'{"plan": "Gold", "renewal_month": "2027-01"}\' WHERE id = %s',
        (contact,),
    )
    earlier = datetime.now(UTC) - timedelta(days=1)
    [old] = attempt_store.create_attempts(
        floor.db, floor.campaign.id, [contact], now=earlier, expires_at=earlier + timedelta(1)
    )
    attempt_store.begin_dialing(floor.db, old, "worker-earlier", earlier)
    attempt_store.finish_attempt(
        floor.db, old, AttemptResult(Outcome.NO_ANSWER, sip_status=480), earlier
    )
    floor.db.execute(
        "UPDATE call_attempts SET disposition = 'no_contact', disposition_at = %s,"
        " notes = 'Rang out; try after lunch' WHERE id = %s",
        (earlier, old),
    )
    return contact


def _local_input_value(page: Page, moment: datetime) -> str:
    """``moment`` as a datetime-local value in the browser's own time zone."""
    return str(
        page.evaluate(
            "ms => { const d = new Date(ms);"
            " return new Date(ms - d.getTimezoneOffset() * 60000).toISOString().slice(0, 16); }",
            moment.timestamp() * 1000,
        )
    )


def test_an_agent_gets_a_real_call_on_the_console_and_schedules_a_callback_for_themselves(
    db: Connection,
    service_env: dict[str, str],
    carrier: Carrier,
    tmp_path: Path,
    page: Page,
    artifacts: Path,
    agent_phone: SoftphoneProcess,
) -> None:
    customer = carrier(Scenario.ANSWER_AND_WAIT)  # talks until our side hangs up
    floor = Floor.on(db, service_env["REDIS_URL"], customer)
    callback_at = (datetime.now(UTC) + timedelta(hours=2)).replace(second=0, microsecond=0)
    contact = _contact_with_history(floor, _zone_where_it_is_midday(callback_at))
    state = ready_on_the_console(page, floor, agent_phone)
    dora = floor.agents["dora"]

    with running_workers(service_env, 2, tmp_path) as workers:
        [attempt] = queue_attempts(db, floor.campaign.id, [contact])
        enqueue(workers.redis_url, [attempt])

        # The screen pop, pushed to the open page: no reload, no click.
        expect(state).to_have_text("on call", timeout=CALL_TIMEOUT_MS)
        expect(page.locator("[data-live=call-name]")).to_have_text("Grace Hopper")
        expect(page.locator("[data-live=custom]")).to_contain_text("Gold")
        expect(page.locator("[data-live=custom]")).to_contain_text("renewal month")
        expect(page.locator("[data-live=previous]")).to_contain_text("Rang out; try after lunch")
        expect(page.locator("[data-live=previous]")).to_contain_text("No one on the line")
        expect(page.locator("[data-live=call-campaign]")).to_have_text("Floor")
        page.screenshot(path=str(artifacts / "console-call-screen-pop.png"), full_page=True)

        page.get_by_role("button", name="Hang up").click()
        expect(state).to_have_text("wrap up", timeout=30_000)
        row = wait_ended(db, [attempt])[attempt]

    assert row[OUTCOME] == "connected" and row[AGENT_ID] == dora.id
    page.get_by_label("Call back at").check()
    page.fill("input[name=callback_at]", _local_input_value(page, callback_at))
    page.get_by_label("Only me").check()
    page.fill("textarea[name=notes]", "Wants the Gold renewal quote; call at two")
    page.screenshot(path=str(artifacts / "console-call-disposition.png"), full_page=True)
    page.get_by_role("button", name="Submit disposition").click()
    expect(state).to_have_text("ready", timeout=15_000)
    expect(page.locator("[data-live=idle]")).to_be_visible()
    expect(page.locator("[data-live=notice]")).to_contain_text("Saved “Call back at” for Grace")
    expect(page.locator("[data-live=notice]")).to_contain_text("by you")
    my_calls = page.locator("#my-calls tbody")  # read again after the call, no reload
    expect(my_calls).to_contain_text("+12025550181")
    expect(my_calls).to_contain_text("callback")
    page.screenshot(path=str(artifacts / "console-call-after.png"), full_page=True)

    stored = db.execute(
        "SELECT a.disposition, a.notes, a.agent_id, c.state, c.next_eligible_at,"
        " c.callback_agent_id FROM call_attempts a JOIN contacts c ON c.id = a.contact_id"
        " WHERE a.id = %s",
        (attempt,),
    ).fetchone()
    assert stored is not None
    disposition, notes, agent_id, contact_state, next_at, callback_agent = stored
    assert (disposition, agent_id) == ("callback", dora.id)
    assert notes == "Wants the Gold renewal quote; call at two"
    assert (contact_state, callback_agent) == ("callback", dora.id)
    assert next_at == callback_at, (next_at, callback_at)
    assert floor.status("dora").state is AgentState.READY
