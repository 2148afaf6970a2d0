"""Agents logged in and ready on a real AgentService, seconds after the agents' fixtures' T0."""

from __future__ import annotations

from datetime import datetime, timedelta

from campaigns.agents import Agent
from campaigns.campaign import Campaign
from campaigns.storage.db import Connection
from dialer.agents.service import AgentService
from tests.agent_factories import make_agent
from tests.agent_fixtures import T0


def at(seconds: float) -> datetime:
    return T0 + timedelta(seconds=seconds)


def ready_agents(
    db: Connection, service: AgentService, campaigns: list[Campaign], names: list[str]
) -> list[Agent]:
    """Agents logged in to `campaigns`, ready in the order given (the first idle longest)."""
    made = []
    for n, name in enumerate(names):
        agent = make_agent(db, name, campaigns)
        service.login(agent.id, at(0))
        service.ready(agent.id, at(1 + n))
        made.append(agent)
    return made
