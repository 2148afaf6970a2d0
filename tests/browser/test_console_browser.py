"""The agent console in headless Chromium: log in to a campaign, ready, pause with a reason, the
timer running, and a change made elsewhere (a supervisor's pause) pushed to the page by
server-sent events with no reload. The call itself (screen pop, disposition) is the sip tier's
tests/sip/test_console_call_browser.py, with a real carrier and worker."""

from __future__ import annotations

import json
from datetime import UTC, datetime, time, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import psycopg
import pytest
from playwright.sync_api import Page, expect

from campaigns.agents import Agent, AgentSpec
from campaigns.campaign import Campaign
from campaigns.storage import agent_store, inbound_store
from dialer import call_commands, live_events
from dialer.agents.call_waiting import OFFER_TIMEOUT, CallWaiting
from dialer.agents.service import AgentService, OneConnection
from dialer.agents.waiting_offers import Answer, WaitingOffers
from dialer.bootstrap import redis_client
from tests.agent_factories import make_pause_codes
from tests.browser.console_sign_in import sign_in_agent
from tests.console_support import (
    PHONE,
    connected_call,
    end_call,
    end_inbound,
    inbound_call,
    talked_call,
)
from tests.dashboard_fixtures import password_hash
from tests.factories import make_campaign, make_contacts


@pytest.fixture
def campaign(db: psycopg.Connection[Any]) -> Campaign:
    make_pause_codes(db, "break")
    db.execute("INSERT INTO pause_codes (code, label) VALUES ('lunch', 'Lunch break')")
    return make_campaign(db, "Spring renewals", trunk_uri="sip:{number}@127.0.0.1:5999")


@pytest.fixture
def carla(db: psycopg.Connection[Any], campaign: Campaign) -> Agent:
    spec = AgentSpec(sip_uri="sip:carla@127.0.0.1:5091", campaign_ids=(campaign.id,))
    agent = agent_store.insert_agent(db, "carla", "Carla Agent", password_hash(), spec)
    db.commit()
    return agent


@pytest.fixture
def service(db: psycopg.Connection[Any], redis_url: str) -> AgentService:
    built = AgentService(redis_client(redis_url), OneConnection(db))
    # Built now, as the dialer's processes do: else the dashboard's first write finds no live
    # state and rebuilds it from PostgreSQL, pausing everyone logged in ("system_restart").
    built.ensure_built(datetime.now(UTC))
    return built


def _timer_seconds(page: Page) -> int:
    minutes, seconds = page.locator("[data-live=timer]").inner_text().split(":")[-2:]
    return int(minutes) * 60 + int(seconds)


def test_an_agent_logs_in_goes_ready_and_pauses_with_a_reason(
    page: Page,
    artifacts: Path,
    carla: Agent,
    service: AgentService,
    db: psycopg.Connection[Any],
) -> None:
    sign_in_agent(page, "carla")
    state = page.locator("[data-live=state]")
    expect(state).to_have_text("logged out")
    page.screenshot(path=str(artifacts / "console-logged-out.png"), full_page=True)

    page.get_by_role("button", name="Log in").click()
    expect(state).to_have_text("paused")
    expect(page.locator("[data-live=reason]")).to_have_text("Just logged in")
    expect(page.locator("[data-live=campaigns]")).to_have_text("Spring renewals")
    page.get_by_label("Pause reason").select_option(label="break")  # a paused agent may
    page.get_by_role("button", name="Pause", exact=True).click()  # change the reason
    expect(page.locator("[data-live=reason]")).to_have_text("break")

    page.get_by_role("button", name="Ready").click()
    expect(state).to_have_text("ready")
    expect(page.get_by_role("button", name="Ready")).to_be_disabled()
    assert service.status(carla.id).state.value == "ready"
    first = _timer_seconds(page)
    page.wait_for_timeout(2600)
    assert _timer_seconds(page) >= first + 2, "the timer in the state runs"
    page.screenshot(path=str(artifacts / "console-ready.png"), full_page=True)

    page.get_by_label("Pause reason").select_option(label="Lunch break")
    page.get_by_role("button", name="Pause", exact=True).click()
    expect(state).to_have_text("paused")
    expect(page.locator("[data-live=reason]")).to_have_text("Lunch break")
    expect(page.get_by_role("button", name="Ready")).to_be_enabled()
    page.screenshot(path=str(artifacts / "console-paused.png"), full_page=True)

    live = service.status(carla.id)
    assert (live.state.value, live.reason) == ("paused", "lunch")
    history = db.execute(
        "SELECT state, reason FROM agent_state_history WHERE agent_id = %s ORDER BY seq",
        (carla.id,),
    ).fetchall()
    assert history[-4:] == [
        ("paused", "login"),
        ("paused", "break"),
        ("ready", None),
        ("paused", "lunch"),
    ]


def test_a_pause_made_elsewhere_reaches_the_open_page_without_a_reload(
    page: Page, artifacts: Path, carla: Agent, service: AgentService
) -> None:
    sign_in_agent(page, "carla")
    page.get_by_role("button", name="Log in").click()
    page.get_by_role("button", name="Ready").click()
    expect(page.locator("[data-live=state]")).to_have_text("ready")
    loaded = page.evaluate("() => performance.timeOrigin")

    service.pause(carla.id, "break", datetime.now(UTC))  # as a supervisor's API call would

    expect(page.locator("[data-live=state]")).to_have_text("paused")
    expect(page.locator("[data-live=reason]")).to_have_text("break")
    assert page.evaluate("() => performance.timeOrigin") == loaded, "the page was not reloaded"
    page.screenshot(path=str(artifacts / "console-paused-by-supervisor.png"), full_page=True)


NEW_YORK = ZoneInfo("America/New_York")


def test_a_callback_asked_for_at_night_is_moved_to_the_earliest_allowed_time_on_request(
    page: Page,
    artifacts: Path,
    carla: Agent,
    campaign: Campaign,
    service: AgentService,
    db: psycopg.Connection[Any],
) -> None:
    """No SIP here (the sip tier has the real call): the call is stored as talked and over, so
    the agent opens the console in wrap-up with the disposition form."""
    [contact] = make_contacts(db, campaign, [PHONE], ["America/New_York"], first_name="Ann")
    call = talked_call(db, service, carla, campaign, contact)
    sign_in_agent(page, "carla")
    expect(page.locator("[data-live=state]")).to_have_text("wrap up")
    expect(page.locator("[data-live=call-name]")).to_have_text("Ann")

    tomorrow = datetime.now(NEW_YORK).date() + timedelta(days=1)
    night = datetime.combine(tomorrow, time(3, 0), NEW_YORK)  # 03:00 in the contact's zone
    page.get_by_label("Call back at").check()
    page.fill("input[name=callback_at]", local_input_value(page, night))
    page.get_by_role("button", name="Submit disposition").click()
    problem = page.locator("[data-live=disposition-error]")
    expect(problem).to_contain_text("Outside the calling hours (America/New_York")
    expect(problem).to_contain_text("is filled in: submit again")
    page.screenshot(path=str(artifacts / "console-callback-outside-window.png"), full_page=True)
    assert service.status(carla.id).state.value == "wrap_up", "nothing was saved yet"

    page.get_by_role("button", name="Submit disposition").click()
    expect(page.locator("[data-live=state]")).to_have_text("ready")
    expect(page.locator("[data-live=notice]")).to_contain_text("by any agent")
    stored = db.execute(
        "SELECT c.state, c.next_eligible_at, c.callback_agent_id, a.disposition"
        " FROM contacts c JOIN call_attempts a ON a.contact_id = c.id WHERE a.id = %s",
        (call.attempt_id,),
    ).fetchone()
    assert stored is not None
    state, next_at, callback_agent, disposition = stored
    assert (state, callback_agent, disposition) == ("callback", None, "callback")
    local = next_at.astimezone(NEW_YORK)
    assert local.date() == tomorrow and time(3, 0) < local.time() <= time(12, 0), local


def local_input_value(page: Page, moment: datetime) -> str:
    """``moment`` as a datetime-local value in the browser's own time zone."""
    return str(
        page.evaluate(
            "ms => { const d = new Date(ms);"
            " return new Date(ms - d.getTimezoneOffset() * 60000).toISOString().slice(0, 16); }",
            moment.timestamp() * 1000,
        )
    )


def test_a_pause_asked_for_during_a_call_starts_after_the_disposition(
    page: Page,
    artifacts: Path,
    carla: Agent,
    campaign: Campaign,
    service: AgentService,
    db: psycopg.Connection[Any],
) -> None:
    """The call is stored as connected (no SIP here); its end is pushed to the open page."""
    [contact] = make_contacts(db, campaign, [PHONE], ["America/New_York"], first_name="Ann")
    call = connected_call(db, service, carla, campaign, contact)
    sign_in_agent(page, "carla")
    state = page.locator("[data-live=state]")
    expect(state).to_have_text("on call")
    expect(page.get_by_role("button", name="Hang up")).to_be_visible()
    expect(page.get_by_role("button", name="Submit disposition")).to_be_disabled()

    page.get_by_label("Pause reason").select_option(label="Lunch break")
    page.get_by_role("button", name="Pause", exact=True).click()
    expect(page.locator("[data-live=after-call]")).to_have_text(
        "After this call: paused (Lunch break)"
    )
    expect(state).to_have_text("on call")

    end_call(db, service, call)  # the customer hangs up: the worker's writes
    expect(state).to_have_text("wrap up")
    expect(page.locator("[data-live=call-hint]")).to_contain_text("record its outcome")
    expect(page.locator("select[name=after]")).to_have_value("lunch")
    page.get_by_label("Sale").check()
    page.screenshot(path=str(artifacts / "console-wrap-up-then-lunch.png"), full_page=True)
    page.get_by_role("button", name="Submit disposition").click()
    expect(state).to_have_text("paused")
    expect(page.locator("[data-live=reason]")).to_have_text("Lunch break")
    stored = db.execute(
        "SELECT disposition FROM call_attempts WHERE id = %s", (call.attempt_id,)
    ).fetchone()
    assert stored == ("sale",)


def test_an_inbound_call_pops_the_caller_and_takes_its_disposition(
    page: Page,
    artifacts: Path,
    carla: Agent,
    campaign: Campaign,
    service: AgentService,
    db: psycopg.Connection[Any],
    redis_url: str,
) -> None:
    """An inbound call handed to Carla (stored as the inbound process stores it, no SIP): the
    known caller's record pops with the queue and the wait; then an unknown caller's."""
    [contact] = make_contacts(db, campaign, [PHONE], ["America/New_York"], first_name="Ann")
    db.execute('UPDATE contacts SET custom_fields = \'{"plan": "gold"}\' WHERE id = %s', (contact,))
    queue = inbound_store.add_queue(db, "Help line", campaign.id, ["+18005550100"])
    call = inbound_call(db, service, carla, campaign.id, queue, PHONE, waited_s=20)
    db.commit()
    sign_in_agent(page, "carla")
    state = page.locator("[data-live=state]")
    expect(state).to_have_text("on call")
    expect(page.locator("[data-live=call-title]")).to_have_text("Inbound call")
    expect(page.locator("[data-live=call-name]")).to_have_text("Ann")
    pop = page.locator("[data-live=contact]")
    expect(pop).to_contain_text(PHONE)
    expect(pop).to_contain_text("+18005550100 (Help line)")
    expect(pop).to_contain_text("0:20")
    expect(page.locator("[data-live=custom]")).to_contain_text("gold")
    # Hang-up, hold, mute, DTMF and recording go to the inbound process; no transfer box.
    expect(page.get_by_role("button", name="Hang up")).to_be_visible()
    expect(page.get_by_role("button", name="Transfer", exact=True)).to_be_hidden()
    page.get_by_role("button", name="Hold").click()
    expect(page.get_by_role("button", name="Resume")).to_be_visible()
    sent = redis_client(redis_url).lrange(call_commands.command_key(-call.call_id), 0, -1)
    assert [json.loads(raw)["command"] for raw in sent] == ["hold"]
    page.screenshot(path=str(artifacts / "console-inbound-known-caller.png"), full_page=True)

    end_inbound(db, service, call)  # the caller hangs up: the inbound process's writes
    expect(state).to_have_text("wrap up")
    page.get_by_label("Sale").check()
    page.get_by_role("button", name="Submit disposition").click()
    expect(state).to_have_text("ready")
    stored = db.execute(
        "SELECT disposition FROM inbound_calls WHERE id = %s", (call.call_id,)
    ).fetchone()
    assert stored == ("sale",)

    stranger = inbound_call(db, service, carla, campaign.id, queue, "+13125550199", log_in=False)
    db.commit()
    expect(page.locator("[data-live=call-name]")).to_have_text("Unknown caller +13125550199")
    expect(page.get_by_label("Sale")).to_be_visible()
    expect(page.get_by_label("Call back at")).to_have_count(0)  # nobody to call back
    page.screenshot(path=str(artifacts / "console-inbound-unknown-caller.png"), full_page=True)
    end_inbound(db, service, stranger)


def test_call_waiting_is_turned_on_and_an_offered_caller_declined_from_the_console(
    page: Page,
    artifacts: Path,
    carla: Agent,
    service: AgentService,
    db: psycopg.Connection[Any],
    redis_url: str,
) -> None:
    sign_in_agent(page, "carla")
    card = page.locator("[data-call-waiting]")
    card.get_by_label("Offer me a queued caller").check()
    expect(card.locator("[data-call-waiting-status]")).to_have_text("Call waiting on.")
    assert agent_store.get_agent(db, carla.id).spec.call_waiting

    # What a queue call does when it offers a caller to Carla on her call 42.
    client = redis_client(redis_url)
    now = datetime.now(UTC)
    offer = CallWaiting(carla.id, 42, 7, "Help line", "+12125550123", now, now + OFFER_TIMEOUT)
    offers = WaitingOffers(client)
    assert offers.place(offer, now)
    notice = "Call waiting: +12125550123 in Help line."
    live_events.publish(client, live_events.CallNotice(42, 1, carla.id, notice, now))
    expect(card.locator("[data-call-waiting-text]")).to_contain_text("+12125550123 (Help line)")
    page.screenshot(path=str(artifacts / "console-call-waiting-offer.png"), full_page=True)

    card.get_by_role("button", name="Decline").click()
    expect(card.locator("[data-call-waiting-status]")).to_contain_text("goes back to the queue")
    assert offers.answer_of(carla.id, 7) is Answer.DECLINE
    offers.clear(carla.id, 7)


def test_a_second_call_over_is_dispositioned_from_the_call_waiting_card(
    page: Page,
    artifacts: Path,
    carla: Agent,
    campaign: Campaign,
    service: AgentService,
    db: psycopg.Connection[Any],
    redis_url: str,
) -> None:
    [contact] = make_contacts(db, campaign, [PHONE], ["America/New_York"])
    first = connected_call(db, service, carla, campaign, contact)
    queue = inbound_store.add_queue(db, "Help line", campaign.id, ["+18005550100"])
    # What a queue call does for a caller Carla took as a second call, and its end.
    now = datetime.now(UTC)
    call_id, _ = inbound_store.offer_call(
        db,
        queue_id=queue,
        did="+18005550100",
        caller="+13125550177",
        campaign_id=campaign.id,
        sip_call_id="second-call-browser",
        worker="inbound-test",
        at=now - timedelta(seconds=40),
    )
    inbound_store.record_answered(db, call_id, carla.id, now - timedelta(seconds=30), True)
    inbound_store.finish_call(db, call_id, inbound_store.InboundOutcome.ANSWERED, now)
    db.commit()
    sign_in_agent(page, "carla")
    card = page.locator("[data-call-waiting]")
    item = card.locator(f"[data-inbound-call-id='{call_id}']")
    expect(item).to_contain_text("+13125550177 (Help line)")
    item.get_by_label("Disposition of the second call").select_option(label="Sale")
    page.screenshot(path=str(artifacts / "console-second-call-disposition.png"), full_page=True)
    item.get_by_role("button", name="Save").click()
    expect(card.locator("[data-call-waiting-status]")).to_contain_text("disposition saved")
    expect(card.locator("[data-call-waiting-dispose]")).to_be_hidden()
    row = db.execute("SELECT disposition FROM inbound_calls WHERE id = %s", (call_id,)).fetchone()
    assert row == ("sale",)
    status = service.status(carla.id)
    assert status.attempt_id == first.attempt_id and status.state.value == "on_call"
