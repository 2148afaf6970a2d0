"""Inbound calls come first for blended agents: the claim and the pacing's reads, in a real
Redis and PostgreSQL."""

from __future__ import annotations

from datetime import timedelta

import pytest
import redis

from campaigns.agents import AgentState
from campaigns.campaign import Campaign
from campaigns.storage import inbound_store, pacing_store
from campaigns.storage.db import Connection
from campaigns.storage.inbound_store import InboundOutcome
from dialer.agents import codec
from dialer.agents.service import AgentService
from dialer.inbound.waiting_line import WaitingLine, campaign_waiting
from tests.agent_fixtures import T0, agents
from tests.factories import make_campaign
from tests.integration.ready_agents import ready_agents

__all__ = ["agents"]


class Floor:
    """Agents ready in the order given (the first idle longest) and the campaign's callers."""

    def __init__(self, db: Connection, agents: AgentService, redis_url: str) -> None:
        self.db, self.agents, self.redis = db, agents, redis.Redis.from_url(redis_url)

    def ready(self, campaigns: list[Campaign], *names: str) -> list[int]:
        return [agent.id for agent in ready_agents(self.db, self.agents, campaigns, list(names))]

    def waiting(self, campaign: Campaign, *call_ids: int) -> WaitingLine:
        line = WaitingLine(self.redis, 7, campaign.id)
        for call_id in call_ids:
            line.join(call_id, 100.0 + call_id)
        return line

    def outbound_claim(self, campaign: Campaign, attempt_id: int = 101) -> int | None:
        at = T0 + timedelta(seconds=10)
        claimed = self.agents.claim(campaign.id, attempt_id, at, yield_to_inbound=True)
        return None if claimed is None else claimed.agent_id

    def inbound_claim(self, campaign: Campaign, call_id: int) -> int | None:
        claimed = self.agents.claim(campaign.id, -call_id, T0 + timedelta(seconds=10))
        return None if claimed is None else claimed.agent_id


@pytest.fixture
def floor(db: Connection, agents: AgentService, redis_url: str) -> Floor:
    return Floor(db, agents, redis_url)


def test_an_outbound_answer_passes_over_the_agent_a_waiting_inbound_caller_will_take(
    db: Connection, floor: Floor
) -> None:
    campaign = make_campaign(db)
    alice, bob = floor.ready([campaign], "alice", "bob")
    floor.waiting(campaign, 1)
    assert floor.outbound_claim(campaign) == bob
    assert floor.inbound_claim(campaign, 1) == alice


def test_no_agent_for_an_outbound_answer_while_inbound_callers_need_every_ready_agent(
    db: Connection, floor: Floor
) -> None:
    campaign = make_campaign(db)
    [alice] = floor.ready([campaign], "alice")
    floor.waiting(campaign, 1, 2)
    assert floor.outbound_claim(campaign) is None
    assert floor.agents.status(alice).state is AgentState.READY  # left where it was
    assert floor.inbound_claim(campaign, 1) == alice


def test_a_caller_who_left_the_line_holds_no_agent_back(db: Connection, floor: Floor) -> None:
    campaign = make_campaign(db)
    [alice] = floor.ready([campaign], "alice")
    floor.waiting(campaign, 1).leave(1)
    assert floor.outbound_claim(campaign) == alice


def test_a_caller_whose_process_stopped_vouching_for_it_is_not_counted(
    db: Connection, floor: Floor
) -> None:
    campaign = make_campaign(db)
    [alice] = floor.ready([campaign], "alice")
    floor.waiting(campaign, 1)
    assert campaign_waiting(floor.redis, [campaign.id]) == {campaign.id: 1}
    floor.redis.zadd(codec.inbound_waiting_key(campaign.id), {"1": 1000})  # died long ago
    assert campaign_waiting(floor.redis, [campaign.id]) == {campaign.id: 0}
    assert floor.outbound_claim(campaign) == alice


def test_an_agent_blended_with_another_campaigns_queue_is_kept_for_its_callers(
    db: Connection, floor: Floor
) -> None:
    sales, support = make_campaign(db, "Sales"), make_campaign(db, "Support")
    [alice] = floor.ready([sales, support], "alice")
    [bob] = floor.ready([sales], "bob")
    floor.waiting(support, 1)
    assert floor.outbound_claim(sales, 101) == bob
    assert floor.outbound_claim(sales, 102) is None
    assert floor.inbound_claim(support, 1) == alice


def test_inbound_callers_and_promised_callbacks_are_not_held_back_by_waiting_callers(
    db: Connection, floor: Floor
) -> None:
    campaign = make_campaign(db)
    alice, bob = floor.ready([campaign], "alice", "bob")
    floor.waiting(campaign, 1, 2, 3)
    # a callback promised by alice ("only me") goes to alice
    only_alice = floor.agents.claim(campaign.id, 101, T0 + timedelta(seconds=10), alice, True)
    assert only_alice is not None and only_alice.agent_id == alice
    # the head of the line takes the next agent whatever else waits
    assert floor.inbound_claim(campaign, 1) == bob


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
    load = pacing_store.campaign_load(
        db, campaign.id, trunk_id=0, day_start=T0, hour_ago=T0, thirty_days_ago=T0,
        inbound_since=since,
    )  # fmt: skip
    assert load.inbound_offered == 2
