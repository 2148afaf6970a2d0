"""The agent console page (/console) against real PostgreSQL and Redis: it is rendered with the
agent's live state as it is now, so it reads right before its script runs; the live parts
(static/console.js) act through the agent API, tested in test_console_api.py."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from flask import Flask

from campaigns.agents import Agent
from campaigns.campaign import Campaign
from campaigns.storage import user_store
from campaigns.storage.db import Connection
from campaigns.users import Role, User
from dialer.agents.service import AgentService
from tests.agent_fixtures import agents
from tests.console_support import PHONE, connected_call, recent, talked_call
from tests.dashboard_fixtures import DashboardClient
from tests.factories import make_campaign, make_contacts

__all__ = ["agents"]


@pytest.fixture
def campaign(db: Connection) -> Campaign:
    return make_campaign(db, "Spring renewals", trunk_uri="sip:{number}@127.0.0.1:5999")


@pytest.fixture
def alice(make_agent: Callable[..., Agent], campaign: Campaign, agents: AgentService) -> Agent:
    return make_agent("alice", (campaign.id,))


@pytest.fixture
def console(dashboard_app: Flask, db: Connection, alice: Agent) -> Callable[[], str]:
    client = dashboard_app.test_client()
    assert isinstance(client, DashboardClient)
    assert client.login(user_store.get_user(db, alice.user_id).username).status_code == 302

    def page() -> str:
        response = client.get("/console")
        assert response.status_code == 200
        return response.get_data(as_text=True)

    return page


def _attribute(html: str, name: str) -> str:
    found = re.search(rf'{name}="([^"]*)"', html)
    assert found, name
    return found[1]


def test_a_logged_out_agent_sees_the_campaigns_to_log_in_to(
    console: Callable[[], str], campaign: Campaign
) -> None:
    html = console()
    assert _attribute(html, "data-state") == "logged_out"
    assert f'name="campaign_ids" value="{campaign.id}" checked' in html
    assert "Spring renewals" in html
    assert "/static/console.js" in html
    assert _attribute(html, "data-login-url") == "/api/v1/agent/login"
    assert _attribute(html, "data-events-url") == "/api/v1/events"


def test_a_paused_agent_sees_the_reason_the_timer_and_the_pause_codes_to_choose(
    console: Callable[[], str], agents: AgentService, alice: Agent
) -> None:
    agents.login(alice.id, recent(125))
    agents.ready(alice.id, recent(125))
    agents.pause(alice.id, "lunch", recent(65))
    html = console()
    assert _attribute(html, "data-state") == "paused"
    assert re.search(r'role="timer"[^>]*>1:0[5-9]<', html), "the timer starts at the time paused"
    assert '<p data-live="reason" class="reason">lunch</p>' in html
    # The supervisor's codes are offered; the dialer's own ("login", ...) are not.
    assert '<option value="lunch">lunch</option>' in html
    assert '<option value="login">' not in html


def test_a_just_logged_in_agent_reads_why_they_are_paused(
    console: Callable[[], str], agents: AgentService, alice: Agent
) -> None:
    agents.login(alice.id, recent(3))
    assert "Just logged in" in console()


def test_an_agent_on_a_call_gets_the_page_with_the_call_held(
    console: Callable[[], str],
    db: Connection,
    agents: AgentService,
    alice: Agent,
    campaign: Campaign,
) -> None:
    [contact] = make_contacts(db, campaign, [PHONE], first_name="Grace")
    call = connected_call(db, agents, alice, campaign, contact)
    html = console()
    assert _attribute(html, "data-state") == "on_call"
    assert _attribute(html, "data-attempt-id") == str(call.attempt_id)


def test_an_agent_in_wrap_up_sees_their_call_in_my_calls(
    console: Callable[[], str],
    db: Connection,
    agents: AgentService,
    alice: Agent,
    campaign: Campaign,
) -> None:
    [contact] = make_contacts(db, campaign, [PHONE], first_name="Grace")
    talked_call(db, agents, alice, campaign, contact)
    html = console()
    assert _attribute(html, "data-state") == "wrap_up"
    assert PHONE in html


def test_an_agent_login_without_an_agent_profile_gets_403(
    dashboard_app: Flask, make_user: Callable[..., User]
) -> None:
    user = make_user(Role.AGENT, "nobody")
    client = dashboard_app.test_client()
    assert isinstance(client, DashboardClient)
    assert client.login(user.username).status_code == 302
    assert client.get("/console").status_code == 403
