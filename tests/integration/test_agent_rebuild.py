"""The live state rebuilt from PostgreSQL, the history backlog, the pacing's read of the floor."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta

from campaigns.agents import AgentState
from campaigns.storage.db import Connection, connect
from dialer.agents.service import AgentService
from tests.agent_factories import make_agent
from tests.agent_fixtures import T0, agents
from tests.factories import make_campaign

__all__ = ["agents"]


def at(seconds: float) -> datetime:
    return T0 + timedelta(seconds=seconds)


class UnreachableDatabase:
    """A real connection attempt to a port where no PostgreSQL listens."""

    @contextmanager
    def connection(self) -> Iterator[Connection]:
        with connect("postgresql://dialer@127.0.0.1:9/none") as conn:
            yield conn


def test_agents_logged_in_before_redis_was_lost_come_back_paused(
    db: Connection, agents: AgentService
) -> None:
    campaign = make_campaign(db)
    alice, bob, carol = (make_agent(db, n, [campaign]) for n in ("alice", "bob", "carol"))
    agents.login(alice.id, at(0))
    agents.ready(alice.id, at(1))
    agents.login(bob.id, at(0))
    agents.ready(bob.id, at(1))
    agents.claim(campaign.id, 101, at(5))  # alice: reserved
    lost = list(agents.redis.scan_iter(match="dialer:{agents}:*"))
    agents.redis.delete(*lost)  # Redis lost everything of ours

    assert agents.tick(at(60)).rebuilt
    for agent in (alice, bob):
        status = agents.status(agent.id)
        assert (status.state, status.reason) == (AgentState.PAUSED, "system_restart")
        assert status.campaigns == frozenset({campaign.id})
    assert agents.status(carol.id).state is AgentState.LOGGED_OUT
    assert agents.claim(campaign.id, 102, at(61)) is None  # nobody ready until they say so
    # The worker that held alice's call finds she no longer holds it.
    assert not agents.connected(alice.id, 101, at(62))

    rows = db.execute(
        "SELECT seq, state, reason, ended_at FROM agent_state_history"
        " WHERE agent_id = %s ORDER BY seq",
        (alice.id,),
    ).fetchall()
    assert rows[-2:] == [(3, "reserved", None, at(60)), (4, "paused", "system_restart", None)]
    agents.ready(alice.id, at(70))
    assert agents.status(alice.id).seq == 5


def test_a_built_live_state_is_left_alone(db: Connection, agents: AgentService) -> None:
    campaign = make_campaign(db)
    alice = make_agent(db, "alice", [campaign])
    agents.login(alice.id, at(0))
    agents.ready(alice.id, at(1))
    assert not agents.tick(at(60)).rebuilt
    assert agents.status(alice.id).state is AgentState.READY


def test_history_waits_in_redis_while_postgresql_is_away(
    db: Connection, agents: AgentService
) -> None:
    campaign = make_campaign(db)
    alice = make_agent(db, "alice", [campaign])
    agents.login(alice.id, at(0))
    agents.ready(alice.id, at(1))
    working = agents.db
    agents.db = UnreachableDatabase()
    claimed = agents.claim(campaign.id, 101, at(10))
    assert claimed is not None  # the call goes on without PostgreSQL
    assert agents.connected(alice.id, 101, at(11))
    assert agents.write_backlog() == 0  # still away: the rows go back to the backlog

    agents.db = working
    assert agents.tick(at(12)).history_written == 2
    states = db.execute(
        "SELECT state, ended_at IS NULL FROM agent_state_history WHERE agent_id = %s ORDER BY seq",
        (alice.id,),
    ).fetchall()
    assert states == [("paused", False), ("ready", False), ("reserved", False), ("on_call", True)]


def test_the_floor_gives_each_campaign_its_agents_by_state_and_time_in_state(
    db: Connection, agents: AgentService
) -> None:
    sales, support = make_campaign(db, "Sales"), make_campaign(db, "Support")
    alice, bob, carol = (make_agent(db, n, [sales, support]) for n in ("alice", "bob", "carol"))
    dave = make_agent(db, "dave", [support])
    for agent in (alice, bob, carol):
        agents.login(agent.id, at(0), [sales.id])
        agents.ready(agent.id, at(1))
    agents.login(dave.id, at(0))
    agents.claim(sales.id, 101, at(10))  # alice
    agents.connected(alice.id, 101, at(12))
    agents.claim(sales.id, 102, at(20))  # bob
    agents.connected(bob.id, 102, at(21))
    agents.ended(bob.id, 102, at(40))

    floors = agents.floors([sales.id, support.id], at(50))
    floor = floors[sales.id]
    assert floor.logged_in == 3
    assert floor.ready == 1
    assert floor.seconds_in(AgentState.ON_CALL) == (38.0,)
    assert floor.seconds_in(AgentState.WRAP_UP) == (10.0,)
    assert floor.seconds_in(AgentState.READY) == (49.0,)
    [talking] = floor.in_state(AgentState.ON_CALL)
    assert (talking.agent_id, talking.attempt_id, talking.call_campaign_id) == (
        alice.id,
        101,
        sales.id,
    )
    support_floor = floors[support.id]
    assert [(a.agent_id, a.state, a.reason) for a in support_floor.agents] == [
        (dave.id, AgentState.PAUSED, "login")
    ]
    agents.logout(dave.id, at(60))
    assert agents.floors([support.id], at(61))[support.id].agents == ()
