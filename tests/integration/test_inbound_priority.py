"""Inbound calls come first for blended agents: the claim and the pacing's reads, in a real
Redis and PostgreSQL."""

from __future__ import annotations

from datetime import timedelta

import redis

from campaigns.campaign import Campaign
from campaigns.storage import inbound_store, pacing_store
from campaigns.storage.db import Connection
from campaigns.storage.inbound_store import InboundOutcome
from dialer.agents import codec
from dialer.agents.service import AgentService
from dialer.inbound.waiting_line import WaitingLine, campaign_waiting
from tests.agent_factories import make_agent
from tests.agent_fixtures import T0, agents
from tests.factories import make_campaign

__all__ = ["agents"]


def ready(
    db: Connection, agents: AgentService, campaigns: list[Campaign], names: list[str]
) -> list[int]:
    """Agents ready in the order given (the first idle longest)."""
    ids = []
    for n, name in enumerate(names):
        agent = make_agent(db, name, campaigns)
        agents.login(agent.id, T0)
        agents.ready(agent.id, T0 + timedelta(seconds=1 + n))
        ids.append(agent.id)
    return ids


def outbound_claim(agents: AgentService, campaign_id: int, attempt_id: int) -> int | None:
    claimed = agents.claim(
        campaign_id, attempt_id, T0 + timedelta(seconds=10), yield_to_inbound=True
    )
    return None if claimed is None else claimed.agent_id


def inbound_claim(agents: AgentService, campaign_id: int, call_id: int) -> int | None:
    claimed = agents.claim(campaign_id, -call_id, T0 + timedelta(seconds=10))
    return None if claimed is None else claimed.agent_id


def test_an_outbound_answer_passes_over_the_agent_a_waiting_inbound_caller_will_take(
    db: Connection, agents: AgentService, redis_url: str
) -> None:
    campaign = make_campaign(db)
    alice, bob = ready(db, agents, [campaign], ["alice", "bob"])
    WaitingLine(redis.Redis.from_url(redis_url), 7, campaign.id).join(1, 100.0)
    assert outbound_claim(agents, campaign.id, 101) == bob
    assert inbound_claim(agents, campaign.id, 1) == alice


def test_no_agent_for_an_outbound_answer_while_inbound_callers_need_every_ready_agent(
    db: Connection, agents: AgentService, redis_url: str
) -> None:
    campaign = make_campaign(db)
    [alice] = ready(db, agents, [campaign], ["alice"])
    line = WaitingLine(redis.Redis.from_url(redis_url), 7, campaign.id)
    line.join(1, 100.0)
    line.join(2, 101.0)
    assert outbound_claim(agents, campaign.id, 101) is None
    assert agents.status(alice).state.value == "ready"  # left where it was
    assert inbound_claim(agents, campaign.id, 1) == alice


def test_a_caller_who_left_the_line_holds_no_agent_back(
    db: Connection, agents: AgentService, redis_url: str
) -> None:
    campaign = make_campaign(db)
    [alice] = ready(db, agents, [campaign], ["alice"])
    line = WaitingLine(redis.Redis.from_url(redis_url), 7, campaign.id)
    line.join(1, 100.0)
    line.leave(1)
    assert outbound_claim(agents, campaign.id, 101) == alice


def test_a_caller_whose_process_stopped_vouching_for_it_is_not_counted(
    db: Connection, agents: AgentService, redis_url: str
) -> None:
    campaign = make_campaign(db)
    [alice] = ready(db, agents, [campaign], ["alice"])
    client = redis.Redis.from_url(redis_url)
    WaitingLine(client, 7, campaign.id).join(1, 100.0)
    assert campaign_waiting(client, [campaign.id]) == {campaign.id: 1}
    client.zadd(codec.inbound_waiting_key(campaign.id), {"1": 1000})  # its process died long ago
    assert campaign_waiting(client, [campaign.id]) == {campaign.id: 0}
    assert outbound_claim(agents, campaign.id, 101) == alice


def test_an_agent_blended_with_another_campaigns_queue_is_kept_for_its_callers(
    db: Connection, agents: AgentService, redis_url: str
) -> None:
    sales, support = make_campaign(db, "Sales"), make_campaign(db, "Support")
    [alice] = ready(db, agents, [sales, support], ["alice"])
    [bob] = ready(db, agents, [sales], ["bob"])
    WaitingLine(redis.Redis.from_url(redis_url), 7, support.id).join(1, 100.0)
    assert outbound_claim(agents, sales.id, 101) == bob
    assert outbound_claim(agents, sales.id, 102) is None
    assert inbound_claim(agents, support.id, 1) == alice


def test_inbound_callers_and_promised_callbacks_are_not_held_back_by_waiting_callers(
    db: Connection, agents: AgentService, redis_url: str
) -> None:
    campaign = make_campaign(db)
    alice, bob = ready(db, agents, [campaign], ["alice", "bob"])
    line = WaitingLine(redis.Redis.from_url(redis_url), 7, campaign.id)
    for call_id in (1, 2, 3):
        line.join(call_id, 100.0 + call_id)
    # a callback promised by alice ("only me") goes to alice
    only_alice = agents.claim(campaign.id, 101, T0 + timedelta(seconds=10), alice, True)
    assert only_alice is not None and only_alice.agent_id == alice
    # the head of the line takes the next agent whatever else waits
    assert inbound_claim(agents, campaign.id, 1) == bob


def test_the_pacing_reads_the_offers_of_the_campaigns_queues_but_not_refused_calls(
    db: Connection,
) -> None:
    campaign, other = make_campaign(db, "Sales"), make_campaign(db, "Other")
    queue = inbound_store.add_queue(db, "Help", campaign.id, ["+18005550100"])
    elsewhere = inbound_store.add_queue(db, "Else", other.id, ["+18005550101"])

    def offer(queue_id: int, minutes_ago: int) -> int:
        call_id, _ = inbound_store.offer_call(
            db,
            queue_id=queue_id,
            did="+18005550100",
            caller="+12125550001",
            campaign_id=None,
            sip_call_id="x",
            worker="w",
            at=T0 - timedelta(minutes=minutes_ago),
        )
        return call_id

    offer(queue, 1)
    offer(queue, 5)
    offer(queue, 30)  # before the window
    offer(elsewhere, 1)
    refused = offer(queue, 2)
    inbound_store.finish_call(db, refused, InboundOutcome.REJECTED, T0)
    since = T0 - timedelta(minutes=15)
    assert pacing_store.inbound_offered_since(db, campaign.id, since) == 2
