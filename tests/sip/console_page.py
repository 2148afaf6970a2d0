"""The agent console in a real browser on the sip tier: an agent signed in and ready on the page."""

from __future__ import annotations

from playwright.sync_api import Locator, Page, expect

from campaigns.agents import Agent, AgentSpec, AgentState
from campaigns.storage import agent_store
from tests.dashboard_fixtures import TEST_PASSWORD, password_hash

from .agent_floor import Floor
from .softphone_process import SoftphoneProcess


def _agent_on(floor: Floor, sip_uri: str) -> Agent:
    """An agent who signs in to the dashboard (with a password, unlike the floor's robots)."""
    spec = AgentSpec(sip_uri=sip_uri, campaign_ids=(floor.campaign.id,))
    agent = agent_store.insert_agent(floor.db, "dora", "Dora Agent", password_hash(), spec)
    floor.agents["dora"] = agent
    return agent


def ready_on_the_console(page: Page, floor: Floor, agent_phone: SoftphoneProcess) -> Locator:
    """dora (on ``agent_phone``) signs in, logs in and goes ready; her state on the page."""
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
    return state
