"""agent_state_history: one row per change, in order of the change number, whatever the arrival."""

from __future__ import annotations

import concurrent.futures
import itertools
import random
from datetime import UTC, datetime, timedelta

import psycopg

from campaigns.agent_history import StateChange
from campaigns.agents import AgentState
from campaigns.storage import agent_history_store
from campaigns.storage.db import Connection
from tests.agent_factories import make_agent
from tests.factories import make_campaign

T0 = datetime(2026, 11, 26, 15, 0, tzinfo=UTC)
CYCLE = [AgentState.READY, AgentState.RESERVED, AgentState.ON_CALL, AgentState.WRAP_UP]


def _changes(agent_id: int, count: int) -> list[StateChange]:
    return [
        StateChange(
            agent_id=agent_id,
            seq=n,
            state=CYCLE[n % len(CYCLE)],
            at=T0 + timedelta(seconds=n),
            campaigns=frozenset({1}),
        )
        for n in range(1, count + 1)
    ]


def _rows(db: Connection, agent_id: int) -> list[tuple[int, str, datetime, datetime | None]]:
    return db.execute(
        "SELECT seq, state, started_at, ended_at FROM agent_state_history"
        " WHERE agent_id = %s ORDER BY seq",
        (agent_id,),
    ).fetchall()


def _assert_contiguous(rows: list[tuple[int, str, datetime, datetime | None]], count: int) -> None:
    assert [row[0] for row in rows] == list(range(1, count + 1))
    for (_, _, _, ended), (_, _, next_start, _) in itertools.pairwise(rows):
        assert ended == next_start  # each row ends where the next begins: no gap, no overlap
    assert rows[-1][3] is None  # only the current state is open


def test_rows_written_in_order_end_where_the_next_begins(db: Connection) -> None:
    agent = make_agent(db, "alice", [make_campaign(db)])
    for change in _changes(agent.id, 6):
        agent_history_store.record_change(db, change)
    _assert_contiguous(_rows(db, agent.id), 6)


def test_rows_arriving_out_of_order_end_up_the_same(db: Connection) -> None:
    agent = make_agent(db, "alice", [make_campaign(db)])
    changes = _changes(agent.id, 12)
    random.Random(5).shuffle(changes)
    for change in changes:
        agent_history_store.record_change(db, change)
    _assert_contiguous(_rows(db, agent.id), 12)


def test_writing_a_change_twice_stores_it_once(db: Connection) -> None:
    agent = make_agent(db, "alice", [make_campaign(db)])
    changes = _changes(agent.id, 3)
    agent_history_store.record_changes(db, changes)
    agent_history_store.record_changes(db, changes[1:])
    _assert_contiguous(_rows(db, agent.id), 3)


def test_concurrent_writers_of_one_agent_leave_a_contiguous_history(
    db: Connection, database_url: str
) -> None:
    agent = make_agent(db, "alice", [make_campaign(db)])
    changes = _changes(agent.id, 60)
    random.Random(11).shuffle(changes)

    def write(change: StateChange) -> None:
        with psycopg.connect(database_url) as conn:
            agent_history_store.record_change(conn, change)

    with concurrent.futures.ThreadPoolExecutor(max_workers=8) as pool:
        list(pool.map(write, changes))
    _assert_contiguous(_rows(db, agent.id), 60)


def test_the_last_state_and_change_number_are_read_back(db: Connection) -> None:
    campaign = make_campaign(db)
    agent = make_agent(db, "alice", [campaign])
    agent_history_store.record_changes(db, _changes(agent.id, 5))
    [last] = agent_history_store.last_states(db)
    assert (last.agent_id, last.seq, last.state) == (agent.id, 5, CYCLE[5 % 4])
    assert last.campaigns == frozenset({1})
    assert agent_history_store.last_seq(db, agent.id) == 5
