"""Fixtures of the console's integration tests: a campaign, its contact and two agents on it.

Import them into a test module with the `agents` fixture and list them in its `__all__`."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from campaigns.agents import Agent
from campaigns.campaign import Campaign
from campaigns.storage.db import Connection
from dialer.agents.service import AgentService
from tests.console_support import PHONE
from tests.factories import make_campaign, make_contacts


@pytest.fixture
def campaign(db: Connection) -> Campaign:
    return make_campaign(db, trunk_uri="sip:{number}@127.0.0.1:5999")


@pytest.fixture
def contact(db: Connection, campaign: Campaign) -> int:
    [contact_id] = make_contacts(db, campaign, [PHONE], first_name="Grace")
    db.execute(
        "UPDATE contacts SET last_name = 'Hopper', postal_code = '10001',"
        ' custom_fields = \'{"plan": "gold", "renewal": "2027-01"}\' WHERE id = %s',
        (contact_id,),
    )
    return contact_id


@pytest.fixture
def alice(make_agent: Callable[..., Agent], campaign: Campaign, agents: AgentService) -> Agent:
    # `agents` builds the live state and puts back the pause codes (break, lunch, training).
    return make_agent("alice", (campaign.id,))


@pytest.fixture
def bob(make_agent: Callable[..., Agent], campaign: Campaign) -> Agent:
    return make_agent("bob", (campaign.id,))
