"""Calls in the states the agent console deals with, built through the real stores and the real
AgentService (no worker, no SIP): for the console's and the wallboard's integration tests."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from campaigns.agents import Agent
from campaigns.attempt import AttemptState, Outcome
from campaigns.campaign import Campaign, RecordingMode
from campaigns.storage import attempt_store, inbound_store
from campaigns.storage.attempt_store import AttemptResult
from campaigns.storage.db import Connection
from campaigns.storage.inbound_store import InboundOutcome
from dialer import call_commands
from dialer.agents.service import AgentService
from dialer.bootstrap import redis_client
from tests.factories import make_campaign, make_contacts

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


@dataclass(frozen=True)
class InboundCall:
    call_id: int
    agent: Agent

    @property
    def reference(self) -> int:
        """The call as the agent's live state holds it (docs/inbound.md)."""
        return -self.call_id


def inbound_call(
    db: Connection,
    agents: AgentService,
    agent: Agent,
    campaign_id: int,
    queue_id: int,
    caller: str,
    *,
    did: str = "+18005550100",
    waited_s: float = 20.0,
    log_in: bool = True,
) -> InboundCall:
    """An inbound call offered a minute ago, queued ``waited_s``, then handed to ``agent`` (made
    ready here) and answered: what dialer.inbound.queue_call does, through the same stores and
    the same AgentService, without SIP."""
    offered = recent(60)
    call_id, _ = inbound_store.offer_call(
        db,
        queue_id=queue_id,
        did=did,
        caller=caller,
        campaign_id=campaign_id,
        sip_call_id=f"inbound-test-{caller}-{offered.timestamp()}",
        worker="inbound-test",
        at=offered,
    )
    if log_in:
        agents.login(agent.id, offered)
        agents.ready(agent.id, offered)
    answered = offered + timedelta(seconds=waited_s)
    claimed = agents.claim(campaign_id, -call_id, answered)
    assert claimed is not None and claimed.agent_id == agent.id, "the agent was not ready"
    agents.connected(agent.id, -call_id, answered)
    inbound_store.record_answered(db, call_id, agent.id, answered)
    return InboundCall(call_id, agent)


def end_inbound(db: Connection, agents: AgentService, call: InboundCall) -> None:
    """The caller hung up: the outcome is stored, then the agent goes to wrap-up (that order)."""
    inbound_store.finish_call(db, call.call_id, InboundOutcome.ANSWERED, recent(1))
    agents.ended(call.agent.id, call.reference, recent(1))


def floor(
    db: Connection, make_agent: Callable[..., Agent], recording: RecordingMode
) -> tuple[Campaign, int, Agent, Agent]:
    campaign = make_campaign(db, trunk_uri="sip:{number}@127.0.0.1:5999", recording=recording)
    [contact] = make_contacts(db, campaign, [PHONE])
    return campaign, contact, make_agent("alice", (campaign.id,)), make_agent("bob", (campaign.id,))


def queued(redis_url: str, attempt_id: int) -> list[dict[str, Any]]:
    raw = redis_client(redis_url).lrange(call_commands.command_key(attempt_id), 0, -1)
    return [json.loads(text) for text in raw]
