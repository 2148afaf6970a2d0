"""Answers waiting for an agent are served earliest deadline first, in a real Redis.

Each waiting answer asks for an agent every 0.1 s until its deadline (dialer.call_flow). Before the
line, whichever asked first after an agent freed took them, so a later answer could take the agent
an earlier one was waiting for, and the earlier one was abandoned.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import cast

import pytest
from psycopg_pool import ConnectionPool
from redis import Redis

from campaigns.campaign import Campaign
from campaigns.rules import RuleSetName
from campaigns.storage.attempt_store import AttemptToDial
from campaigns.storage.db import Connection, open_pool
from dialer.agents import codec
from dialer.agents.service import AgentService
from dialer.bootstrap import redis_client
from dialer.dialing.claimer import Claimer
from dialer.dialing.context import DialContext
from tests.agent_factories import make_agent
from tests.agent_fixtures import agents
from tests.factories import make_campaign
from tests.integration.ready_agents import at, ready_agents

__all__ = ["agents"]

EARLY, LATE = 201, 202


def claim(
    service: AgentService, campaign: Campaign, attempt: int, now: float, until: float
) -> int | None:
    claimed = service.claim(campaign.id, attempt, at(now), yield_to_inbound=True, until=at(until))
    return None if claimed is None else claimed.agent_id


def early_waiting(db: Connection, service: AgentService) -> Campaign:
    """A campaign with no agent ready, whose EARLY answer waits for one until 11.0."""
    campaign = make_campaign(db)
    assert claim(service, campaign, EARLY, 10.0, until=11.0) is None
    return campaign


def logged_in(db: Connection, service: AgentService, campaign: Campaign, name: str) -> int:
    agent = make_agent(db, name, [campaign])
    service.login(agent.id, at(0))
    return agent.id


def test_a_freed_agent_goes_to_the_answer_that_must_be_connected_first(
    db: Connection, agents: AgentService
) -> None:
    campaign = make_campaign(db)
    alice = logged_in(db, agents, campaign, "alice")
    assert claim(agents, campaign, EARLY, 10.0, until=11.0) is None
    assert claim(agents, campaign, LATE, 10.2, until=11.2) is None
    agents.ready(alice, at(10.5))
    # the later answer asks first after alice freed, and leaves her to the earlier one
    assert claim(agents, campaign, LATE, 10.55, until=11.2) is None
    assert claim(agents, campaign, EARLY, 10.6, until=11.0) == alice


def test_a_later_answer_takes_the_agent_after_those_left_for_earlier_ones(
    db: Connection, agents: AgentService
) -> None:
    campaign = early_waiting(db, agents)
    alice, bob = (a.id for a in ready_agents(db, agents, [campaign], ["alice", "bob"]))
    assert claim(agents, campaign, LATE, 10.2, until=11.2) == bob
    assert claim(agents, campaign, EARLY, 10.3, until=11.0) == alice


def test_an_answer_past_its_deadline_holds_no_agent_back(
    db: Connection, agents: AgentService
) -> None:
    campaign = early_waiting(db, agents)
    [alice] = (a.id for a in ready_agents(db, agents, [campaign], ["alice"]))
    # the early answer stopped asking at 11.0 (its message plays): the line forgets it
    assert claim(agents, campaign, LATE, 11.05, until=12.0) == alice


def test_an_answer_whose_call_ended_gives_its_place_up(
    db: Connection, agents: AgentService
) -> None:
    campaign = early_waiting(db, agents)
    agents.leave_line(campaign.id, EARLY)  # the person hung up while waiting
    [alice] = (a.id for a in ready_agents(db, agents, [campaign], ["alice"]))
    assert claim(agents, campaign, LATE, 10.2, until=11.2) == alice


def test_a_claim_for_a_named_agent_or_without_a_deadline_does_not_wait_in_the_line(
    db: Connection, agents: AgentService
) -> None:
    campaign = early_waiting(db, agents)
    alice, bob = (a.id for a in ready_agents(db, agents, [campaign], ["alice", "bob"]))
    # a transfer to alice (that agent or nobody) is not an answer waiting for any agent
    named = agents.claim(campaign.id, LATE, at(10.1), only_agent_id=alice, until=at(11.2))
    assert named is not None and named.agent_id == alice
    # nor a claim that gives no deadline (a caller with no window to keep)
    unnamed = agents.claim(campaign.id, 203, at(10.2))
    assert unnamed is not None and unnamed.agent_id == bob


def test_each_campaign_has_its_own_line(db: Connection, agents: AgentService) -> None:
    sales, support = make_campaign(db, "Sales"), make_campaign(db, "Support")
    assert claim(agents, support, EARLY, 10.0, until=11.0) is None
    [alice] = (a.id for a in ready_agents(db, agents, [sales], ["alice"]))
    assert claim(agents, sales, LATE, 10.2, until=11.2) == alice


class Worker:
    """The worker side of the claim (dialer.dialing.claimer) on a clock the test moves."""

    def __init__(
        self, agents: AgentService, campaign: Campaign, pool: ConnectionPool, client: Redis
    ) -> None:
        self.now = at(0)
        self.ctx = DialContext(
            worker="w1",
            pool=pool,
            redis=client,
            telephony=None,  # type: ignore[arg-type]  # a claim places no call
            agents=agents,
            data_dir=Path("."),
            now=lambda: self.now,
        )
        self.campaign = campaign

    def claimer(self, attempt: int) -> Claimer:
        to_dial = AttemptToDial(
            attempt_id=attempt,
            campaign_id=self.campaign.id,
            campaign_name=self.campaign.spec.name,
            contact_id=None,
            called_number="+12025550111",
            caller_id="+12025550100",
            ring_timeout_s=25,
            trunk=None,
            abandon_message=None,
            amd={},
            recording="off",
            first_name="",
            last_name="",
            custom_fields={},
            rule_set=RuleSetName.US,
        )
        return Claimer(self.ctx, to_dial)

    def in_line(self) -> list[str]:
        members = self.ctx.redis.zrange(codec.answers_waiting_key(self.campaign.id), 0, -1)
        return [str(m) for m in cast(list[str], members)]


@pytest.fixture
def worker_side(database_url: str, redis_url: str) -> Iterator[tuple[ConnectionPool, Redis]]:
    pool = open_pool(database_url, max_size=2, name="answer-line-test")
    yield pool, redis_client(redis_url)
    pool.close()


def test_an_answer_leaves_the_line_at_its_last_ask(
    db: Connection, agents: AgentService, worker_side: tuple[ConnectionPool, Redis]
) -> None:
    campaign = make_campaign(db)
    worker = Worker(agents, campaign, *worker_side)
    early, late = worker.claimer(EARLY), worker.claimer(LATE)
    worker.now = at(10.0)
    assert early.claim_agent(str(EARLY), until=at(11.0)) is None
    assert worker.in_line() == [str(EARLY)]
    # 0.05 s before its deadline: the call flow will not ask again, so it leaves the line
    worker.now = at(10.95)
    assert early.claim_agent(str(EARLY), until=at(11.0)) is None
    assert worker.in_line() == []
    [alice] = (a.id for a in ready_agents(db, agents, [campaign], ["alice"]))
    worker.now = at(10.97)
    taken = late.claim_agent(str(LATE), until=at(11.9))
    assert taken is not None and taken.agent_id == str(alice)
    assert worker.in_line() == []


def test_an_attempt_that_ends_while_waiting_leaves_the_line(
    db: Connection, agents: AgentService, worker_side: tuple[ConnectionPool, Redis]
) -> None:
    campaign = make_campaign(db)
    worker = Worker(agents, campaign, *worker_side)
    early = worker.claimer(EARLY)
    worker.now = at(10.0)
    assert early.claim_agent(str(EARLY), until=at(11.0)) is None
    early.leave_line()  # dialer.dialing.attempt does this when the attempt is over
    assert worker.in_line() == []


def test_a_dead_redis_when_leaving_the_line_ends_the_attempt_all_the_same(
    db: Connection,
    agents: AgentService,
    worker_side: tuple[ConnectionPool, Redis],
    caplog: pytest.LogCaptureFixture,
) -> None:
    campaign = early_waiting(db, agents)
    worker = Worker(agents, campaign, *worker_side)
    early = worker.claimer(EARLY)
    worker.now = at(10.1)
    assert early.claim_agent(str(EARLY), until=at(11.0)) is None
    # Redis goes away while the call ends: the entry stays until its deadline, nothing raises
    pool, _ = worker_side
    dead = Redis.from_url("redis://127.0.0.1:1/0", decode_responses=True)
    worker.ctx.agents = AgentService(dead, pool)
    early.leave_line()
    assert "left the line late" in caplog.text
    assert worker.in_line() == [str(EARLY)]
