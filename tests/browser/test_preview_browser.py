"""The preview card in headless Chromium: a ready agent on a preview campaign sees the contact
(fields and earlier calls) with Dial and Skip; Skip shows the next contact; a Dial that a rule
forbids (the number reached the DNC list while the agent read) shows the reason; a card held
past the campaign's limit disappears with a notice, and a late Dial says it expired. The dial that
reaches a carrier is the sip tier's (tests/sip/test_preview_dial.py)."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import psycopg
import pytest
from playwright.sync_api import Page, expect

from campaigns.agents import AgentSpec
from campaigns.campaign import Campaign, CampaignState, DialMode
from campaigns.storage import agent_store, campaign_store
from dialer.agents.service import AgentService, OneConnection
from dialer.bootstrap import redis_client
from dialer.preview import release_expired_previews
from tests.agent_factories import make_pause_codes
from tests.browser.console_sign_in import sign_in_agent
from tests.dashboard_fixtures import password_hash
from tests.factories import make_campaign, make_contacts


def _zone_where_it_is_midday(at: datetime) -> str:
    offset = (12 - at.hour + 12) % 24 - 12
    return "Etc/GMT" + (f"{-offset:+d}" if offset else "")


@pytest.fixture
def campaign(db: psycopg.Connection[Any]) -> Campaign:
    make_pause_codes(db, "break")
    made = make_campaign(
        db, "Gold renewals", trunk_uri="sip:{number}@127.0.0.1:5999", dial_mode=DialMode.PREVIEW
    )
    return campaign_store.set_campaign_state(db, made.id, CampaignState.RUNNING)


@pytest.fixture
def service(db: psycopg.Connection[Any], redis_url: str) -> AgentService:
    built = AgentService(redis_client(redis_url), OneConnection(db))
    built.ensure_built(datetime.now(UTC))
    return built


def test_a_preview_card_offers_dial_and_skip_and_says_why_a_dial_is_refused(
    page: Page,
    artifacts: Path,
    db: psycopg.Connection[Any],
    campaign: Campaign,
    service: AgentService,
) -> None:
    spec = AgentSpec(sip_uri="sip:pia@127.0.0.1:5093", campaign_ids=(campaign.id,))
    agent_store.insert_agent(db, "pia", "Pia Agent", password_hash(), spec)
    zone = _zone_where_it_is_midday(datetime.now(UTC))
    [grace, linus] = make_contacts(
        db, campaign, ["+12025550181", "+12025550182"], time_zones=[zone]
    )
    db.execute(
        "UPDATE contacts SET first_name = 'Grace', last_name = 'Hopper',"
        ' custom_fields = \'{"plan": "gold", "renewal": "2027-01"}\' WHERE id = %s',
        (grace,),
    )
    db.execute(
        "UPDATE contacts SET first_name = 'Linus', last_name = 'Pauling' WHERE id = %s", (linus,)
    )
    # An earlier call of Grace's, as the screen pop shows it.
    db.execute(
        "INSERT INTO call_attempts (campaign_id, contact_id, called_number, caller_id, state,"
        " outcome, queued_at, hangup_at, notes) VALUES (%s, %s, '+12025550181', '+12025550100',"
        " 'ended', 'no_answer', now() - interval '2 days', now() - interval '2 days',"
        " 'rang out')",
        (campaign.id, grace),
    )
    db.commit()

    sign_in_agent(page, "pia")
    page.get_by_role("button", name="Log in").click()
    expect(page.locator("[data-live=state]")).to_have_text("paused")
    page.get_by_role("button", name="Ready").click()

    card = page.locator("[data-live=call]")
    expect(page.locator("[data-live=call-title]")).to_have_text("Preview")
    expect(page.locator("[data-live=call-name]")).to_have_text("Grace Hopper")
    expect(card).to_contain_text("gold")
    expect(page.locator("[data-live=previous]")).to_contain_text("rang out")
    expect(page.get_by_role("button", name="Dial")).to_be_visible()
    expect(page.get_by_role("button", name="Skip")).to_be_visible()
    expect(page.locator("[data-live=call-hint]")).to_have_text(
        "Preview: read the contact, then Dial or Skip."
    )
    page.screenshot(path=str(artifacts / "console-preview-card.png"), full_page=True)

    page.fill("[data-live=skip-reason]", "asked for email only")
    page.get_by_role("button", name="Skip").click()
    expect(page.locator("[data-live=call-name]")).to_have_text("Linus Pauling")
    assert db.execute(
        "SELECT outcome, sip_reason FROM call_attempts WHERE contact_id = %s AND kind = 'preview'",
        (grace,),
    ).fetchone() == ("cancelled", "skipped by the agent: asked for email only")

    db.execute(
        "INSERT INTO dnc_entries (phone_e164, source) VALUES ('+12025550182', 'customer asked')"
    )
    db.commit()
    page.get_by_role("button", name="Dial").click()
    expect(page.locator("[data-live=error]")).to_contain_text("do-not-call")
    page.screenshot(path=str(artifacts / "console-preview-refused.png"), full_page=True)
    expect(page.locator("[data-live=state]")).to_have_text("ready")


def test_click_to_call_from_my_calls_places_the_call_or_says_why_not(
    page: Page,
    artifacts: Path,
    db: psycopg.Connection[Any],
    service: AgentService,
) -> None:
    make_pause_codes(db, "break")
    made = make_campaign(db, "Win-back", trunk_uri="sip:{number}@127.0.0.1:5999")
    campaign = campaign_store.set_campaign_state(db, made.id, CampaignState.RUNNING)
    spec = AgentSpec(sip_uri="sip:max@127.0.0.1:5094", campaign_ids=(campaign.id,))
    agent = agent_store.insert_agent(db, "max", "Max Agent", password_hash(), spec)
    zone = _zone_where_it_is_midday(datetime.now(UTC))
    [ada, bea] = make_contacts(db, campaign, ["+12025550191", "+12025550192"], time_zones=[zone])
    for contact, number in ((ada, "+12025550191"), (bea, "+12025550192")):
        db.execute(
            "INSERT INTO call_attempts (campaign_id, contact_id, called_number, caller_id,"
            " state, outcome, agent_id, queued_at, hangup_at) VALUES (%s, %s, %s,"
            " '+12025550100', 'ended', 'connected', %s, now() - interval '1 day',"
            " now() - interval '1 day')",
            (campaign.id, contact, number, agent.id),
        )
    db.execute("INSERT INTO dnc_entries (phone_e164, source) VALUES ('+12025550192', 'asked')")
    db.commit()

    sign_in_agent(page, "max")
    page.get_by_role("button", name="Log in").click()
    expect(page.locator("[data-live=state]")).to_have_text("paused")
    page.get_by_role("button", name="Ready").click()
    expect(page.locator("[data-live=state]")).to_have_text("ready")

    page.get_by_role("button", name="Call +12025550192 now").click()
    expect(page.locator("[data-live=error]")).to_contain_text("do-not-call")
    expect(page.locator("[data-live=state]")).to_have_text("ready")

    page.get_by_role("button", name="Call +12025550191 now").click()
    expect(page.locator("[data-live=notice]")).to_contain_text("Calling +12025550191")
    expect(page.locator("[data-live=state]")).to_have_text("reserved")
    expect(page.locator("[data-live=call-hint]")).to_have_text(
        "Calling the customer: your phone rings when they answer."
    )
    expect(page.locator("[data-live=preview]")).to_be_hidden()
    page.screenshot(path=str(artifacts / "console-click-to-call.png"), full_page=True)
    assert db.execute(
        "SELECT kind, agent_id FROM call_attempts WHERE contact_id = %s AND state <> 'ended'",
        (ada,),
    ).fetchone() == ("manual", agent.id)


def test_a_preview_held_too_long_expires_on_screen_and_a_late_dial_says_so(
    page: Page,
    artifacts: Path,
    db: psycopg.Connection[Any],
    campaign: Campaign,
    service: AgentService,
) -> None:
    spec = AgentSpec(sip_uri="sip:ida@127.0.0.1:5093", campaign_ids=(campaign.id,))
    agent_store.insert_agent(db, "ida", "Ida Agent", password_hash(), spec)
    zone = _zone_where_it_is_midday(datetime.now(UTC))
    make_contacts(db, campaign, ["+12025550191", "+12025550192"], time_zones=[zone])
    db.commit()

    def held_for_six_minutes() -> None:
        db.execute(
            "UPDATE call_attempts SET queued_at = queued_at - interval '6 minutes'"
            " WHERE kind = 'preview' AND state = 'queued'"
        )

    sign_in_agent(page, "ida")
    page.get_by_role("button", name="Log in").click()
    expect(page.locator("[data-live=state]")).to_have_text("paused")
    page.get_by_role("button", name="Ready").click()
    expect(page.locator("[data-live=call-title]")).to_have_text("Preview")

    # The agent walked away: the scheduler's sweep gives the contact back and pauses them.
    held_for_six_minutes()
    assert len(release_expired_previews(db, service, datetime.now(UTC))) == 1
    expect(page.locator("[data-live=notice]")).to_contain_text("Your preview expired")
    expect(page.locator("[data-live=state]")).to_have_text("paused")
    expect(page.get_by_role("button", name="Dial")).to_be_hidden()
    page.screenshot(path=str(artifacts / "console-preview-expired.png"), full_page=True)

    # Back: a new card; held too long again, Dial is refused with the reason (before the sweep).
    page.get_by_role("button", name="Ready").click()
    expect(page.get_by_role("button", name="Dial")).to_be_visible()
    expect(page.locator("[data-live=notice]")).to_be_hidden()
    held_for_six_minutes()
    page.get_by_role("button", name="Dial").click()
    expect(page.locator("[data-live=error]")).to_contain_text("preview expired")
    expect(page.locator("[data-live=state]")).to_have_text("paused")
    expect(page.get_by_role("button", name="Dial")).to_be_hidden()
