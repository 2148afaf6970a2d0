"""Calls in the states the agent console deals with, built through the real stores and the real
AgentService (no worker, no SIP): for the console's and the wallboard's integration tests."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from campaigns.agents import Agent
from campaigns.attempt import AttemptState, Outcome
from campaigns.campaign import Campaign
from campaigns.storage import attempt_store
from campaigns.storage.attempt_store import AttemptResult
from campaigns.storage.db import Connection
from dialer.agents.service import AgentService

PHONE = "+12125550123"


@dataclass(frozen=True)
class Call:
    attempt_id: int
    contact_id: int | None
    agent: Agent
    campaign: Campaign


def recent(seconds_ago: float = 0.0) -> datetime:
    return datetime.now(UTC) - timedelta(seconds=seconds_ago)


def connected_call(
    db: Connection,
    agents: AgentService,
    agent: Agent,
    campaign: Campaign,
    contact_id: int,
    *,
    log_in: bool = True,
) -> Call:
    """A call answered and bridged to `agent` (logged in and made ready here): on call."""
    now = recent(60)
    [attempt] = attempt_store.create_attempts(
        db, campaign.id, [contact_id], now=now, expires_at=now + timedelta(minutes=1)
    )
    attempt_store.begin_dialing(db, attempt, "worker-test", now)
    if log_in:
        agents.login(agent.id, now)
        agents.ready(agent.id, now)
    claimed = agents.claim(campaign.id, attempt, recent(30))
    assert claimed is not None and claimed.agent_id == agent.id, "the agent was not ready"
    attempt_store.record_progress(db, attempt, AttemptState.ANSWERED, answer_at=recent(30))
    agents.connected(agent.id, attempt, recent(29))
    attempt_store.record_progress(
        db, attempt, AttemptState.CONNECTED, agent_connect_at=recent(29), agent_id=agent.id
    )
    return Call(attempt, contact_id, agent, campaign)


def end_call(db: Connection, agents: AgentService, call: Call, *, close: bool = True) -> None:
    """The customer hung up: the agent goes to wrap-up; `close` stores the outcome too (the
    worker's last write, after which the disposition may be recorded)."""
    if close:
        result = AttemptResult(Outcome.CONNECTED, sip_status=200, agent_id=call.agent.id)
        attempt_store.finish_attempt(db, call.attempt_id, result, recent(1))
    agents.ended(call.agent.id, call.attempt_id, recent(1))


def talked_call(
    db: Connection, agents: AgentService, agent: Agent, campaign: Campaign, contact_id: int
) -> Call:
    """Connected, then over: the agent is in wrap-up with a disposition to submit."""
    call = connected_call(db, agents, agent, campaign, contact_id)
    end_call(db, agents, call)
    return call


def row(db: Connection, query: str, *params: object) -> tuple[Any, ...] | None:
    return db.execute(query, params).fetchone()
