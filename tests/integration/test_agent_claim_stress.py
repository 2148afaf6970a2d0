"""Many workers claiming agents at once: no agent is ever given two calls, none is skipped.

Real Redis and PostgreSQL, many threads and several processes. Times are synthetic (a counter),
so nothing here depends on how fast this machine is.
"""

from __future__ import annotations

import concurrent.futures
import itertools
import multiprocessing
import random
import threading
from collections import Counter
from datetime import datetime, timedelta

import psycopg

from campaigns.agents import Agent, AgentState
from campaigns.campaign import Campaign
from campaigns.storage.db import Connection, open_pool
from dialer.agents.service import AgentService, HandBack, OneConnection
from dialer.bootstrap import redis_client
from tests.agent_factories import make_agent
from tests.agent_fixtures import T0, agents
from tests.factories import make_campaign

__all__ = ["agents"]


def at(seconds: float) -> datetime:
    return T0 + timedelta(seconds=seconds)


def _floor(
    db: Connection, service: AgentService, count: int
) -> tuple[Campaign, Campaign, list[Agent]]:
    """`count` agents, ready in id order (the first idle longest), on Sales, Support or both."""
    sales, support = make_campaign(db, "Sales"), make_campaign(db, "Support")
    made = []
    for n in range(count):
        works = [[sales], [support], [sales, support]][n % 3]
        agent = make_agent(db, f"agent{n:03}", works)
        service.login(agent.id, at(0))
        service.ready(agent.id, at(1 + n))
        made.append(agent)
    return sales, support, made


def test_simultaneous_claims_take_distinct_agents_and_always_the_longest_idle(
    db: Connection, agents: AgentService, database_url: str, redis_url: str
) -> None:
    sales, support, made = _floor(db, agents, 45)
    idle_rank = {agent.id: n for n, agent in enumerate(made)}
    workers = 16
    claims = [(sales.id if n % 2 else support.id, 1000 + n) for n in range(36)]
    start = threading.Barrier(workers)
    pool = open_pool(database_url, max_size=workers, name="stress")

    def work(share: list[tuple[int, int]]) -> list[tuple[int, int | None]]:
        service = AgentService(redis_client(redis_url), pool)
        start.wait()
        got = []
        for campaign_id, attempt_id in share:
            claimed = service.claim(campaign_id, attempt_id, at(100))
            got.append((campaign_id, claimed.agent_id if claimed else None))
        return got

    shares = [claims[n::workers] for n in range(workers)]
    with concurrent.futures.ThreadPoolExecutor(max_workers=workers) as executor:
        results = [pair for got in executor.map(work, shares) for pair in got]
    pool.close()

    taken = [agent_id for _, agent_id in results if agent_id is not None]
    assert len(taken) == len(claims)  # 30 agents on each campaign: enough for every claim
    assert len(set(taken)) == len(taken), "an agent was given two calls"
    for campaign_id in (sales.id, support.id):
        via = [idle_rank[a] for c, a in results if c == campaign_id and a is not None]
        still_ready = [
            idle_rank[a.id]
            for a in made
            if campaign_id in a.spec.campaign_ids and a.id not in taken
        ]
        # Each claim took the head of the queue: nobody left behind was idle longer.
        assert max(via) < min(still_ready)
    for campaign_id, agent_id in results:
        assert agent_id is not None
        status = agents.status(agent_id)
        assert status.state is AgentState.RESERVED
        assert status.call_campaign_id == campaign_id


def test_many_workers_cycling_calls_never_double_book_and_history_stays_contiguous(
    db: Connection, agents: AgentService, database_url: str, redis_url: str
) -> None:
    sales, support, made = _floor(db, agents, 18)
    workers, rounds = 12, 30
    clock = itertools.count(start=200)
    clock_lock, held_lock = threading.Lock(), threading.Lock()
    held: set[int] = set()
    pool = open_pool(database_url, max_size=workers, name="stress")

    def now() -> datetime:
        with clock_lock:
            return at(next(clock))

    def work(seed: int) -> Counter[str]:
        service = AgentService(redis_client(redis_url), pool)
        rng = random.Random(seed)
        done: Counter[str] = Counter()
        for n in range(rounds):
            attempt = seed * 1000 + n
            claimed = service.claim(rng.choice([sales.id, support.id]), attempt, now())
            if claimed is None:
                done["no agent"] += 1
                continue
            agent_id = claimed.agent_id
            with held_lock:
                assert agent_id not in held, f"agent {agent_id} given two calls"
                held.add(agent_id)
            ending = rng.choice(["talked", "talked", "unused", "not answering"])
            if ending == "talked":
                assert service.connected(agent_id, attempt, now())
            with held_lock:  # before the hand-back: from then on others may claim the agent
                held.remove(agent_id)
            if ending == "talked":
                assert service.ended(agent_id, attempt, now())
                service.finish_wrap_up(agent_id, attempt, now())
            elif ending == "unused":
                assert service.release(agent_id, attempt, HandBack.UNUSED, now())
            else:
                assert service.release(agent_id, attempt, HandBack.NOT_ANSWERING, now())
                service.ready(agent_id, now())
            done[ending] += 1
        return done

    with concurrent.futures.ThreadPoolExecutor(max_workers=workers) as executor:
        totals = sum(executor.map(work, range(workers)), Counter())
    pool.close()

    calls = totals["talked"] + totals["unused"] + totals["not answering"]
    assert calls > workers * rounds // 2
    assert {agents.status(a.id).state for a in made} == {AgentState.READY}
    reserved = db.execute(
        "SELECT count(*) FROM agent_state_history WHERE state = 'reserved'"
    ).fetchone()
    assert reserved == (calls,)
    overlaps = db.execute(
        """SELECT count(*) FROM agent_state_history a JOIN agent_state_history b
           ON a.agent_id = b.agent_id AND a.id < b.id
           AND tstzrange(a.started_at, coalesce(a.ended_at, 'infinity'))
               && tstzrange(b.started_at, coalesce(b.ended_at, 'infinity'))"""
    ).fetchone()
    assert overlaps == (0,)
    gaps = db.execute(
        """SELECT count(*) FROM agent_state_history a JOIN agent_state_history b
           ON a.agent_id = b.agent_id AND b.seq = a.seq + 1
           WHERE a.ended_at IS DISTINCT FROM b.started_at"""
    ).fetchone()
    assert gaps == (0,)
    open_rows = db.execute(
        "SELECT count(*) FROM agent_state_history WHERE ended_at IS NULL"
    ).fetchone()
    assert open_rows == (len(made),)


def _claim_until_none(
    redis_url: str, database_url: str, campaign_id: int, first_attempt: int
) -> list[int]:
    """One worker process: claim for this campaign until nobody is ready."""
    with psycopg.connect(database_url) as conn:
        service = AgentService(redis_client(redis_url), OneConnection(conn))
        got = []
        for attempt in itertools.count(first_attempt):
            claimed = service.claim(campaign_id, attempt, at(500))
            if claimed is None:
                return got
            got.append(claimed.agent_id)
    raise AssertionError("unreachable")


def test_worker_processes_claiming_at_once_share_the_agents_oldest_first(
    db: Connection, agents: AgentService, database_url: str, redis_url: str
) -> None:
    campaign = make_campaign(db)
    made = []
    for n in range(60):
        agent = make_agent(db, f"agent{n:03}", [campaign])
        agents.login(agent.id, at(0))
        agents.ready(agent.id, at(1 + n))
        made.append(agent)
    idle_rank = {agent.id: n for n, agent in enumerate(made)}
    processes = 4
    context = multiprocessing.get_context("spawn")
    with concurrent.futures.ProcessPoolExecutor(processes, mp_context=context) as executor:
        futures = [
            executor.submit(_claim_until_none, redis_url, database_url, campaign.id, n * 1000)
            for n in range(processes)
        ]
        per_process = [f.result() for f in futures]

    everything = [agent_id for got in per_process for agent_id in got]
    assert sorted(everything) == sorted(idle_rank), "every agent claimed exactly once"
    for got in per_process:
        ranks = [idle_rank[a] for a in got]
        assert ranks == sorted(ranks)  # each process always got the longest idle left
