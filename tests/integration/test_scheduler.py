"""The scheduler's loop against real PostgreSQL and Redis; dial tasks are recorded, not sent."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from dataclasses import replace
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import redis

from campaigns.campaign import Campaign, CampaignState, DialMode
from campaigns.contact_import import service
from campaigns.storage import (
    campaign_store,
    claim_store,
    import_liveness,
    import_store,
    inbound_store,
)
from campaigns.storage.db import Connection, connect, open_pool
from campaigns.storage.inbound_store import InboundOutcome
from dialer import worker_registry
from dialer.agents.service import AgentService
from dialer.inbound.waiting_line import WaitingLine
from dialer.scheduler.leader import LeaderLease
from dialer.scheduler.loop import Scheduler
from tests.agent_factories import make_agent
from tests.agent_fixtures import T0, agents
from tests.factories import make_campaign, make_contacts

__all__ = ["agents"]


class RecordingSender:
    """The DialSender port, recording what would go to the workers."""

    def __init__(self) -> None:
        self.sent: list[int] = []

    def dial(self, attempt_id: int, expires_s: float) -> None:
        self.sent.append(attempt_id)


@pytest.fixture
def pool(database_url: str) -> Iterator[Any]:
    pool = open_pool(database_url, max_size=6, name="scheduler-test")
    yield pool
    pool.close()


def _scheduler(
    pool: Any, redis_url: str, agents: AgentService, lease_ms: int = 5000
) -> tuple[Scheduler, RecordingSender]:
    client = redis.Redis.from_url(redis_url, decode_responses=True)

    def allocate(leader: str) -> int:
        with pool.connection() as conn:
            return claim_store.next_fencing_token(conn, leader)

    sender = RecordingSender()
    scheduler = Scheduler(
        pool,
        client,
        agents,
        sender,
        LeaderLease(client, allocate, lease_ms=lease_ms),
        now=lambda: T0,
    )
    return scheduler, sender


def _workers(redis_url: str, free: int) -> None:
    client = redis.Redis.from_url(redis_url)
    worker_registry.publish(
        client, worker_registry.WorkerStatus("w1@test:1", free, free, "127.0.0.1:5070", 1)
    )


def _campaign(
    db: Connection, mode: DialMode = DialMode.PROGRESSIVE, contacts: int = 20
) -> Campaign:
    campaign = make_campaign(db, trunk_uri="sip:{number}@127.0.0.1:5999", dial_mode=mode)
    make_contacts(db, campaign, [f"+1202555{1000 + i:04d}" for i in range(contacts)])
    return campaign_store.set_campaign_state(db, campaign.id, CampaignState.RUNNING)


def _ready(db: Connection, agents: AgentService, campaign: Campaign, count: int) -> list[int]:
    ids = []
    for n in range(count):
        agent = make_agent(db, f"agent{n}", [campaign])
        agents.login(agent.id, T0 - timedelta(minutes=5))
        agents.ready(agent.id, T0 - timedelta(minutes=4))
        ids.append(agent.id)
    return ids


def test_progressive_places_one_call_per_ready_agent(
    db: Connection, pool: Any, redis_url: str, agents: AgentService
) -> None:
    campaign = _campaign(db)
    _ready(db, agents, campaign, 3)
    _workers(redis_url, free=10)
    scheduler, sender = _scheduler(pool, redis_url, agents)
    scheduler.step()
    assert len(sender.sent) == 3
    scheduler.step()  # the three calls are still in flight: nothing more
    assert len(sender.sent) == 3
    queued = db.execute("SELECT count(*) FROM call_attempts WHERE state = 'queued'").fetchone()
    assert queued == (3,)


def test_a_preview_campaign_is_never_dialed_by_the_scheduler(
    db: Connection, pool: Any, redis_url: str, agents: AgentService
) -> None:
    campaign = _campaign(db, DialMode.PREVIEW)
    _ready(db, agents, campaign, 3)
    _workers(redis_url, free=10)
    scheduler, sender = _scheduler(pool, redis_url, agents)
    scheduler.step()
    scheduler.step()
    assert sender.sent == []
    assert db.execute("SELECT count(*) FROM call_attempts").fetchone() == (0,)


def test_never_queues_more_attempts_than_free_worker_lines(
    db: Connection, pool: Any, redis_url: str, agents: AgentService
) -> None:
    campaign = _campaign(db, DialMode.RATIO)
    _ready(db, agents, campaign, 4)
    _workers(redis_url, free=2)
    scheduler, sender = _scheduler(pool, redis_url, agents)
    scheduler.step()
    assert len(sender.sent) == 2
    scheduler.step()  # no worker has picked them up yet: they still take both lines
    assert len(sender.sent) == 2


def test_never_has_more_calls_open_on_a_trunk_than_its_lines(
    db: Connection, pool: Any, redis_url: str, agents: AgentService
) -> None:
    campaign = _campaign(db, DialMode.RATIO)
    db.execute("UPDATE trunks SET max_lines = 3 WHERE id = %s", (campaign.trunk_id,))
    _ready(db, agents, campaign, 5)
    _workers(redis_url, free=10)
    scheduler, sender = _scheduler(pool, redis_url, agents)
    scheduler.step()
    assert len(sender.sent) == 3
    scheduler.step()  # the three are still open: the trunk has no line left
    assert len(sender.sent) == 3


def test_nothing_is_dialed_without_ready_agents_or_while_paused(
    db: Connection, pool: Any, redis_url: str, agents: AgentService
) -> None:
    campaign = _campaign(db)
    _workers(redis_url, free=10)
    scheduler, sender = _scheduler(pool, redis_url, agents)
    scheduler.step()
    assert sender.sent == []
    _ready(db, agents, campaign, 2)
    campaign_store.set_campaign_state(db, campaign.id, CampaignState.PAUSED)
    scheduler.timers.campaigns_at = 0
    scheduler.step()
    assert sender.sent == []


def test_a_number_added_to_dnc_mid_campaign_is_never_dialed(
    db: Connection, pool: Any, redis_url: str, agents: AgentService
) -> None:
    campaign = _campaign(db, contacts=6)
    _ready(db, agents, campaign, 1)
    _workers(redis_url, free=10)
    blocked = db.execute("SELECT phone_e164 FROM contacts ORDER BY id DESC LIMIT 1").fetchone()
    assert blocked is not None
    db.execute(
        "INSERT INTO dnc_entries (phone_e164, source) VALUES (%s, 'customer asked')", (blocked[0],)
    )
    scheduler, _sender = _scheduler(pool, redis_url, agents)
    dialed = []
    for _ in range(6):
        scheduler.step()
        # End whatever was placed so the agent's line frees up for the next contact.
        rows = db.execute(
            "SELECT id, called_number FROM call_attempts WHERE state = 'queued'"
        ).fetchall()
        for attempt_id, number in rows:
            dialed.append(number)
            db.execute(
                "UPDATE call_attempts SET state = 'ended', outcome = 'busy' WHERE id = %s",
                (attempt_id,),
            )
            db.execute("UPDATE contacts SET state = 'done' WHERE phone_e164 = %s", (number,))
    assert len(dialed) == 5
    assert blocked[0] not in dialed


def test_only_the_leader_dials_and_another_takes_over_when_it_dies(
    db: Connection, pool: Any, redis_url: str, agents: AgentService
) -> None:
    campaign = _campaign(db)
    _ready(db, agents, campaign, 2)
    _workers(redis_url, free=10)
    first, first_sent = _scheduler(pool, redis_url, agents, lease_ms=400)
    second, second_sent = _scheduler(pool, redis_url, agents, lease_ms=400)
    first.step()
    second.step()
    assert len(first_sent.sent) == 2 and second_sent.sent == []
    # The leader dies without a word: its lease runs out and the other takes over.
    deadline = time.monotonic() + 5
    while second.leading is None:
        assert time.monotonic() < deadline, "no take-over"
        time.sleep(0.1)
        second.step()
    assert second.leading.token > first.lease.current.token  # type: ignore[union-attr]


def test_a_leader_that_wakes_up_after_a_take_over_is_fenced_out(
    db: Connection, pool: Any, redis_url: str, agents: AgentService
) -> None:
    campaign = _campaign(db)
    _ready(db, agents, campaign, 2)
    _workers(redis_url, free=10)
    old, old_sent = _scheduler(pool, redis_url, agents)
    old.step()
    assert len(old_sent.sent) == 2
    redis.Redis.from_url(redis_url).delete("dialer:scheduler:leader")  # the old lease lapsed
    new, _ = _scheduler(pool, redis_url, agents)
    new.lease.try_acquire()
    # The old leader, still believing it leads, tries to place more calls.
    _ready_more = make_agent(db, "late", [campaign])
    agents.login(_ready_more.id, T0 - timedelta(minutes=1))
    agents.ready(_ready_more.id, T0 - timedelta(seconds=30))
    old.lease._renew = lambda keys, args: 1  # type: ignore[method-assign,assignment]  # it thinks it still holds it
    old.step()
    assert len(old_sent.sent) == 2
    assert old.lease.current is None


def test_status_of_the_last_decision_is_published_for_the_wallboard(
    db: Connection, pool: Any, redis_url: str, agents: AgentService
) -> None:
    import json

    campaign = _campaign(db)
    _ready(db, agents, campaign, 2)
    _workers(redis_url, free=10)
    scheduler, _ = _scheduler(pool, redis_url, agents)
    scheduler.step()
    state = json.loads(redis.Redis.from_url(redis_url).get(f"dialer:pacing:{campaign.id}") or "{}")
    assert state["placed"] == 2
    assert state["reason"] == "progressive"
    assert state["ready_agents"] == 2


def test_the_leader_closes_a_list_import_whose_process_died(
    db: Connection, pool: Any, redis_url: str, agents: AgentService, tmp_path: Path
) -> None:
    campaign = make_campaign(db)
    path = tmp_path / "list.csv"
    path.write_text("Phone\n(212) 555-0100\n", encoding="utf-8")
    import_id = service.start_import(db, campaign.id, path)
    with connect(str(pool.conninfo)) as importer:
        import_liveness.hold_alive(importer, import_id)
        assert import_store.claim_import(importer, import_id)
        scheduler, _ = _scheduler(pool, redis_url, agents)
        scheduler.step()
        assert import_store.get_import(db, import_id).state == "running"
    deadline = time.monotonic() + 10
    while import_store.get_import(db, import_id).state == "running":
        assert time.monotonic() < deadline, "the scheduler never closed the dead import"
        time.sleep(0.2)
        scheduler.timers.reap_at = 0.0  # its housekeeping is due again
        scheduler.step()
    status = import_store.get_import(db, import_id)
    assert status.state == "failed" and status.error == import_liveness.STOPPED_RUNNING


def test_the_amd_false_positive_estimate_is_published_with_the_decision(
    db: Connection, pool: Any, redis_url: str, agents: AgentService
) -> None:
    import json

    from campaigns.amd_policy import AmdMode

    campaign = _campaign(db)
    campaign_store.update_campaign(db, campaign.id, replace(campaign.spec, amd=AmdMode.ON))
    for _ in range(30):  # MACHINE verdicts hung up today
        db.execute(
            "INSERT INTO call_attempts (campaign_id, called_number, caller_id, state, outcome,"
            " queued_at, amd_result) VALUES (%s, '+12025550199', '+12025550100', 'ended',"
            " 'machine', %s, 'machine')",
            (campaign.id, T0 - timedelta(minutes=30)),
        )
    db.commit()
    _ready(db, agents, campaign, 1)
    _workers(redis_url, free=10)
    scheduler, _ = _scheduler(pool, redis_url, agents)
    scheduler.step()
    state = json.loads(redis.Redis.from_url(redis_url).get(f"dialer:pacing:{campaign.id}") or "{}")
    amd = state["amd_false_positives"]
    assert amd["mostly_prior"] is True and amd["machine_checked"] == 0
    assert amd["people_hung_up_today"] == round(30 * amd["person_given_machine"], 2) > 0


def test_agents_that_waiting_inbound_callers_will_take_are_not_dialed_for(
    db: Connection, pool: Any, redis_url: str, agents: AgentService
) -> None:
    campaign = _campaign(db)
    _ready(db, agents, campaign, 3)
    _workers(redis_url, free=10)
    line = WaitingLine(redis.Redis.from_url(redis_url), 7, campaign.id)
    line.join(1, 100.0)
    line.join(2, 101.0)
    scheduler, sender = _scheduler(pool, redis_url, agents)
    scheduler.step()
    assert len(sender.sent) == 1


def test_the_pacing_learns_how_long_the_campaigns_inbound_calls_hold_an_agent(
    db: Connection, pool: Any, redis_url: str, agents: AgentService
) -> None:
    campaign = _campaign(db, DialMode.PREDICTIVE)
    [ann] = _ready(db, agents, campaign, 1)
    queue = inbound_store.add_queue(db, "Help", campaign.id, ["+18005550100"])

    def inbound_call(answered: datetime, talk_s: float) -> int:
        call_id, _ = inbound_store.offer_call(
            db, queue_id=queue, did="+18005550100", caller="+12125550001", campaign_id=None,
            sip_call_id="x", worker="w", at=answered - timedelta(seconds=5),
        )  # fmt: skip
        inbound_store.record_answered(db, call_id, ann, answered)
        inbound_store.finish_call(
            db, call_id, InboundOutcome.ANSWERED, answered + timedelta(seconds=talk_s)
        )
        return call_id

    inbound_call(T0 - timedelta(minutes=10), talk_s=95)  # before the scheduler started
    for attempt_id, seconds in ((5, 20), (-3, 7)):  # wrap-ups after an outbound, inbound call
        started = T0 - timedelta(minutes=9)
        db.execute(
            "INSERT INTO agent_state_history (agent_id, campaign_id, state, attempt_id,"
            " started_at, ended_at) VALUES (%s, %s, 'wrap_up', %s, %s, %s)",
            (ann, campaign.id, attempt_id, started, started + timedelta(seconds=seconds)),
        )
    scheduler, _ = _scheduler(pool, redis_url, agents)
    scheduler.step()
    recorder = scheduler.pacers[campaign.id].recorder
    # read at warm-up
    assert recorder.inbound_talk_durations[95] == 1 and recorder.inbound_wrap_durations[7] == 1
    assert recorder.wrap_durations[20] == recorder.wrap_durations.sum() == 1

    # A call while the scheduler runs: learnt from the agent's move to wrap-up (the call's end
    # is stored before it), the wrap-up from its end, as an inbound one.
    answered = T0 + timedelta(seconds=1)
    call_id = inbound_call(answered, talk_s=40)
    assert agents.claim(campaign.id, -call_id, answered) is not None
    assert agents.connected(ann, -call_id, answered)
    agents.ended(ann, -call_id, answered + timedelta(seconds=40))
    agents.finish_wrap_up(ann, -call_id, answered + timedelta(seconds=52))
    scheduler.events_after = "0"
    scheduler.wait_for_events(0.5, threading.Event())
    assert recorder.inbound_talk_durations[40] == 1
    assert recorder.inbound_wrap_durations[12] == 1
    assert recorder.talk_durations.sum() == 0 and recorder.wrap_durations.sum() == 1
