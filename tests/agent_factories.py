"""Builders for agents in a real database (the agents' tests; kept apart from factories.py)."""

from __future__ import annotations

from campaigns.agents import Agent, AgentSpec
from campaigns.campaign import Campaign
from campaigns.storage import agent_store
from campaigns.storage.db import Connection

# No password: these logins are for the live state, never for the dashboard.
LOCKED = "!"


def make_agent(
    conn: Connection, username: str, campaigns: list[Campaign], sip_uri: str | None = None
) -> Agent:
    spec = AgentSpec(
        sip_uri=sip_uri or f"sip:{username}@127.0.0.1:5099",
        campaign_ids=tuple(c.id for c in campaigns),
    )
    agent = agent_store.insert_agent(conn, username, username.title(), LOCKED, spec)
    return agent


def make_pause_codes(conn: Connection, *codes: str) -> None:
    """The `db` fixture empties pause_codes too; tests put back the ones they use."""
    for code in codes:
        conn.execute(
            "INSERT INTO pause_codes (code, label) VALUES (%(code)s, %(code)s)"
            " ON CONFLICT DO NOTHING",
            {"code": code},
        )
