"""Transfer and three-way call from the agent console in headless Chromium, during a real call.

The agent signs in and goes ready on the page; a real worker dials a sipp carrier that answers
and bridges the agent's phone (`dialer softphone --auto-answer`). The agent first types a
number off the campaign's allow list (the page shows why it is refused, the call goes on), then
an allowed one and clicks Transfer: the same sipp answers the third party, the agent's page goes
to wrap-up and shows the worker's notice, and the attempt records the transfer. In a three-way
call the agent adds the number ("Add to call"), drops it, adds it again and leaves. Picked
from lists: another agent, and one of the campaign's inbound queues (the real inbound process
gives the customer to the queue's agent).

Uses the browser fixtures of tests/conftest.py (one Playwright per test session)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from playwright.sync_api import Locator, Page, expect

from campaigns.agents import AgentState
from campaigns.storage import inbound_store
from campaigns.storage.db import Connection
from dialer import call_commands
from dialer.bootstrap import redis_client
from dialer.carrier import Scenario, SippCarrier
from dialer.carrier.baresip import BaresipAgent

from .agent_floor import AGENT_ID, OUTCOME, Floor
from .call_audio import tone
from .console_page import ready_on_the_console
from .inbound_harness import running_inbound
from .softphone_process import SoftphoneProcess
from .workers_harness import enqueue, running_workers, wait_ended

pytestmark = [pytest.mark.sip, pytest.mark.usefixtures("service_env")]

Carrier = Callable[[Scenario], SippCarrier]
CALL_TIMEOUT_MS = 60_000
THIRD_PARTY = "+12025550199"


@contextmanager
def on_a_call(
    db: Connection,
    service_env: dict[str, str],
    carrier: Carrier,
    tmp_path: Path,
    page: Page,
    agent_phone: SoftphoneProcess,
    number: str,
    workers_env: dict[str, str] | None = None,
) -> Iterator[tuple[Floor, Locator, str, int]]:
    """dora on a real call to ``number`` (sipp answers, the campaign allows +1202555XXXX),
    her console open; yields the floor, her state on the page, Redis and the attempt.
    ``workers_env``: more of the workers' environment."""
    customer = carrier(Scenario.ANSWER_AND_WAIT)
    floor = Floor.on(
        db, service_env["REDIS_URL"], customer, transfer_destinations=("+1202555XXXX",)
    )
    state = ready_on_the_console(page, floor, agent_phone)
    with running_workers({**service_env, **(workers_env or {})}, 2, tmp_path) as workers:
        [attempt] = floor.attempts(number)
        enqueue(workers.redis_url, [attempt])
        expect(state).to_have_text("on call", timeout=CALL_TIMEOUT_MS)
        yield floor, state, workers.redis_url, attempt


def test_an_agent_transfers_a_real_call_from_the_console(
    db: Connection,
    service_env: dict[str, str],
    carrier: Carrier,
    tmp_path: Path,
    page: Page,
    artifacts: Path,
    agent_phone: SoftphoneProcess,
) -> None:
    with on_a_call(db, service_env, carrier, tmp_path, page, agent_phone, "+12025550192") as (
        floor,
        state,
        redis_url,
        attempt,
    ):
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
        call_commands.request_hangup(redis_client(redis_url), attempt, "test")
        row = wait_ended(db, [attempt])[attempt]

    assert row[OUTCOME] == "connected"
    transfer = db.execute(
        "SELECT transfer_to, transfer_outcome FROM call_attempts WHERE id = %s", (attempt,)
    ).fetchone()
    assert transfer == (THIRD_PARTY, "answered")


def test_an_agent_adds_a_third_party_drops_them_then_leaves_a_three_way_call_from_the_console(
    db: Connection,
    service_env: dict[str, str],
    carrier: Carrier,
    tmp_path: Path,
    page: Page,
    artifacts: Path,
    agent_phone: SoftphoneProcess,
) -> None:
    notice = page.locator("[data-live=notice]")
    add = page.get_by_role("button", name="Add to call")
    with on_a_call(db, service_env, carrier, tmp_path, page, agent_phone, "+12025550194") as (
        floor,
        state,
        redis_url,
        attempt,
    ):
        page.get_by_label("Transfer to (E.164 number)").fill(THIRD_PARTY)
        add.click()
        expect(notice).to_contain_text(f"{THIRD_PARTY} joined", timeout=15_000)
        page.screenshot(path=str(artifacts / "console-three-way-call.png"), full_page=True)
        page.get_by_role("button", name="Drop third party").click()
        expect(notice).to_contain_text("left the three-way call", timeout=10_000)
        expect(state).to_have_text("on call")
        add.click()
        expect(notice).to_contain_text(f"{THIRD_PARTY} joined", timeout=15_000)
        page.get_by_role("button", name="Leave 3-way").click()
        expect(state).to_have_text("wrap up", timeout=15_000)
        floor.wait_state("dora", AgentState.WRAP_UP)
        # The customer and the third party talk on; the test ends it here.
        call_commands.request_hangup(redis_client(redis_url), attempt, "test")
        row = wait_ended(db, [attempt])[attempt]

    assert row[OUTCOME] == "connected"
    transfer = db.execute(
        "SELECT transfer_to, transfer_outcome FROM call_attempts WHERE id = %s", (attempt,)
    ).fetchone()
    assert transfer == (THIRD_PARTY, "answered")


def test_an_agent_transfers_a_real_call_to_another_agent_picked_on_the_console(
    db: Connection,
    service_env: dict[str, str],
    carrier: Carrier,
    tmp_path: Path,
    page: Page,
    artifacts: Path,
    agent_phone: SoftphoneProcess,
) -> None:
    with (
        BaresipAgent(tmp_path, tone(tmp_path, 1500.0, 90), user="cara") as cara_phone,
        on_a_call(db, service_env, carrier, tmp_path, page, agent_phone, "+12025550196") as (
            floor,
            state,
            redis_url,
            attempt,
        ),
    ):
        cara = floor.agent("cara", cara_phone.uri)  # ready only now: dora had the call
        picker = page.get_by_label("Transfer to an agent")
        picker.focus()  # the page reads the campaign's ready agents when the picker is opened
        expect(picker.locator("option", has_text=cara.display_name)).to_have_count(1)
        picker.select_option(label=cara.display_name)
        page.get_by_role("button", name="Transfer to agent").click()
        expect(state).to_have_text("wrap up", timeout=20_000)
        expect(page.locator("[data-live=notice]")).to_contain_text(
            f"Transferred to {cara.display_name}", timeout=10_000
        )
        floor.wait_state("cara", AgentState.ON_CALL)
        page.screenshot(path=str(artifacts / "console-call-transferred-to-agent.png"))
        page.get_by_role("button", name="End wrap-up (not my disposition)").click()
        expect(state).to_have_text("ready", timeout=10_000)
        call_commands.request_hangup(redis_client(redis_url), attempt, "test")
        row = wait_ended(db, [attempt])[attempt]

    assert row[OUTCOME] == "connected" and row[AGENT_ID] == cara.id
    transfer = db.execute(
        "SELECT transfer_to, transfer_outcome FROM call_attempts WHERE id = %s", (attempt,)
    ).fetchone()
    assert transfer == (cara.display_name, "answered")


def test_an_agent_transfers_a_real_call_to_an_inbound_queue_picked_on_the_console(
    db: Connection,
    service_env: dict[str, str],
    carrier: Carrier,
    tmp_path: Path,
    page: Page,
    artifacts: Path,
    agent_phone: SoftphoneProcess,
) -> None:
    with (
        BaresipAgent(tmp_path, tone(tmp_path, 1500.0, 90), user="cara") as cara_phone,
        running_inbound(service_env, tmp_path) as inbound,
        on_a_call(
            db,
            service_env,
            carrier,
            tmp_path,
            page,
            agent_phone,
            "+12025550197",
            {"DIALER_INBOUND_ADDRESS": inbound.address},
        ) as (floor, state, redis_url, attempt),
    ):
        inbound_store.add_queue(db, "Help line", floor.campaign.id, ["+18005550100"])
        cara = floor.agent("cara", cara_phone.uri)  # the queue's agent, ready now
        picker = page.get_by_label("Transfer to an inbound queue")
        picker.focus()  # the page reads the campaign's queues when the picker is opened
        queue = "Help line (+18005550100)"
        expect(picker.locator("option", has_text=queue)).to_have_count(1)
        picker.select_option(label=queue)
        page.get_by_role("button", name="Transfer to queue").click()
        expect(state).to_have_text("wrap up", timeout=20_000)
        expect(page.locator("[data-live=notice]")).to_contain_text(
            "Transferred to queue Help line", timeout=10_000
        )
        floor.wait_state("cara", AgentState.ON_CALL)
        page.screenshot(path=str(artifacts / "console-call-transferred-to-queue.png"))
        call_commands.request_hangup(redis_client(redis_url), attempt, "test")
        row = wait_ended(db, [attempt])[attempt]

    assert row[OUTCOME] == "connected"
    transfer = db.execute(
        "SELECT transfer_to, transfer_outcome FROM call_attempts WHERE id = %s", (attempt,)
    ).fetchone()
    assert transfer == ("queue Help line", "answered")
    [(agent_id, from_attempt)] = db.execute(
        "SELECT agent_id, transferred_attempt_id FROM inbound_calls"
    ).fetchall()
    assert (agent_id, from_attempt) == (cara.id, attempt)


def test_an_agent_adds_another_agent_to_a_real_call_on_the_console_then_leaves(
    db: Connection,
    service_env: dict[str, str],
    carrier: Carrier,
    tmp_path: Path,
    page: Page,
    artifacts: Path,
    agent_phone: SoftphoneProcess,
) -> None:
    with (
        BaresipAgent(tmp_path, tone(tmp_path, 1500.0, 90), user="cara") as cara_phone,
        on_a_call(db, service_env, carrier, tmp_path, page, agent_phone, "+12025550197") as (
            floor,
            state,
            redis_url,
            attempt,
        ),
    ):
        cara = floor.agent("cara", cara_phone.uri)  # ready only now: dora had the call
        picker = page.get_by_label("Transfer to an agent")
        picker.focus()
        expect(picker.locator("option", has_text=cara.display_name)).to_have_count(1)
        picker.select_option(label=cara.display_name)
        page.get_by_role("button", name="Add agent to call").click()
        notice = page.locator("[data-live=notice]")
        # Past the 30 s transfer ring timeout: a slow answer joins, a lost one shows its notice.
        # In two full CI runs the page still said "Calling Cara" after 20 s and after 35 s (never
        # seen here): cara's state tells a command never carried out (ready) from a phone that
        # never answered (reserved); the sip tier prints the processes' logs with the failure.
        try:
            expect(notice).to_contain_text(f"{cara.display_name} joined", timeout=35_000)
        except AssertionError as failed:
            raise AssertionError(f"{failed}\ncara meanwhile: {floor.status('cara')}") from None
        floor.wait_state("cara", AgentState.ON_CALL)
        expect(state).to_have_text("on call")
        page.screenshot(path=str(artifacts / "console-three-way-with-agent.png"))
        page.get_by_role("button", name="Leave 3-way").click()
        expect(state).to_have_text("wrap up", timeout=15_000)
        page.get_by_role("button", name="End wrap-up (not my disposition)").click()
        expect(state).to_have_text("ready", timeout=10_000)
        cara_after = floor.status("cara")
        call_commands.request_hangup(redis_client(redis_url), attempt, "test")
        row = wait_ended(db, [attempt])[attempt]

    assert cara_after.state is AgentState.ON_CALL and cara_after.attempt_id == attempt
    assert row[OUTCOME] == "connected" and row[AGENT_ID] == cara.id
    transfer = db.execute(
        "SELECT transfer_to, transfer_outcome FROM call_attempts WHERE id = %s", (attempt,)
    ).fetchone()
    assert transfer == (cara.display_name, "answered")
