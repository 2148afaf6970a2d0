"""`dialer workers` against a sipp carrier: real Celery workers, real pjsua2, real PostgreSQL/Redis.

Each INVITE that reaches the carrier is counted by sipp's message log: the proof that a
redelivered task, a killed worker or a Redis restart never dials an attempt twice.
"""

from __future__ import annotations

import os
import signal
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from campaigns.storage.db import Connection
from dialer.carrier import Scenario, SippCarrier
from tests.factories import make_campaign, make_contacts
from tests.sip.workers_harness import enqueue, queue_attempts, running_workers, wait_ended

pytestmark = pytest.mark.usefixtures("service_env")


def test_workers_place_calls_and_store_each_outcome_with_its_timeline(
    db: Connection,
    service_env: dict[str, str],
    carrier: Callable[[Scenario], SippCarrier],
    tmp_path: Path,
) -> None:
    busy = carrier(Scenario.BUSY_486)
    campaign = make_campaign(db, trunk_uri=busy.uri_template)
    contacts = make_contacts(db, campaign, ["+12025550111", "+12025550112", "+12025550113"])
    with running_workers(service_env, lines=2, tmp=tmp_path) as workers:
        attempts = queue_attempts(db, campaign.id, contacts)
        enqueue(workers.redis_url, attempts)
        ended = wait_ended(db, attempts)
    for (
        state,
        outcome,
        sip_status,
        dial_at,
        _ring,
        _answer,
        hangup_at,
        worker,
        *_,
    ) in ended.values():
        assert (state, outcome, sip_status) == ("ended", "busy", 486)
        assert dial_at is not None and hangup_at is not None and dial_at <= hangup_at
        assert str(worker).startswith("dialer-0@")
    assert busy.invites_received() == 3
    states = db.execute(
        "SELECT state, attempts FROM contacts WHERE id = ANY(%s)", (contacts,)
    ).fetchall()
    assert states == [("dialable", 1)] * 3


def test_the_same_task_delivered_twice_dials_once(
    db: Connection,
    service_env: dict[str, str],
    carrier: Callable[[Scenario], SippCarrier],
    tmp_path: Path,
) -> None:
    decline = carrier(Scenario.DECLINE_603)
    campaign = make_campaign(db, trunk_uri=decline.uri_template)
    contacts = make_contacts(db, campaign, ["+12025550121"])
    with running_workers(service_env, lines=2, tmp=tmp_path) as workers:
        [attempt] = queue_attempts(db, campaign.id, contacts)
        enqueue(workers.redis_url, [attempt, attempt, attempt])
        ended = wait_ended(db, [attempt])
        time.sleep(2)  # let the duplicates run (and do nothing)
    assert ended[attempt][1] == "rejected"
    assert decline.invites_received() == 1


def test_a_worker_killed_with_calls_up_dials_nothing_twice_and_leaves_nothing_open(
    db: Connection,
    service_env: dict[str, str],
    carrier: Callable[[Scenario], SippCarrier],
    tmp_path: Path,
) -> None:
    from datetime import UTC, datetime, timedelta

    from dialer.reaper import STARTUP_GRACE, reap

    answering = carrier(Scenario.ANSWER_AND_WAIT)
    campaign = make_campaign(db, trunk_uri=answering.uri_template)
    contacts = make_contacts(db, campaign, ["+12025550131", "+12025550132"])
    with running_workers(service_env, lines=2, tmp=tmp_path) as workers:
        attempts = queue_attempts(db, campaign.id, contacts)
        enqueue(workers.redis_url, attempts)
        answering.wait_for_requests("ACK", 2, timeout=30)
        [killed] = workers.live()
        os.kill(killed.pid, signal.SIGKILL)
        # The supervisor starts a new incarnation; the dead one's heartbeat lapses.
        deadline = time.monotonic() + 30
        while [w.name for w in workers.live()] in ([], [killed.name]):
            assert time.monotonic() < deadline, "no new worker incarnation"
            time.sleep(0.2)
        enqueue(workers.redis_url, attempts)  # duplicates of work the dead worker had taken
        time.sleep(3)
        live = {w.name for w in workers.live()}
        assert killed.name not in live
        closed = reap(db, live, datetime.now(UTC) + STARTUP_GRACE + timedelta(seconds=1))
    assert closed.worker_lost == 2
    assert answering.invites_received() == 2
    rows = db.execute(
        "SELECT state, outcome FROM call_attempts WHERE id = ANY(%s)", (attempts,)
    ).fetchall()
    assert rows == [("ended", "worker_lost")] * 2


def test_workers_keep_dialing_after_redis_restarts_and_dial_nothing_twice(
    db: Connection,
    service_env: dict[str, str],
    carrier: Callable[[Scenario], SippCarrier],
    tmp_path: Path,
) -> None:
    from tests.sip.private_redis import PrivateRedis

    busy = carrier(Scenario.BUSY_486)
    campaign = make_campaign(db, trunk_uri=busy.uri_template)
    contacts = make_contacts(db, campaign, ["+12025550141", "+12025550142"])
    with PrivateRedis(tmp_path / "redis") as private:
        env = {**service_env, "REDIS_URL": private.url}
        with running_workers(env, lines=2, tmp=tmp_path) as workers:
            [first] = queue_attempts(db, campaign.id, contacts[:1])
            enqueue(private.url, [first])
            wait_ended(db, [first])
            private.restart()  # everything in Redis is gone: queue, heartbeats, live state
            workers.wait_ready(count=1, timeout=60)
            [second] = queue_attempts(db, campaign.id, contacts[1:])
            enqueue(private.url, [second])
            ended = wait_ended(db, [second], timeout=120)
    assert ended[second][1] == "busy"
    assert busy.invites_received() == 2
