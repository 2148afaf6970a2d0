"""`dialer bench calls`: the real workers against a sipp carrier, with every line kept busy.

A feeder keeps `lines` attempts open at all times (the scheduler's job, without its pacing) for
`seconds`, then waits for the last calls to end. Every stored outcome is checked against the
final response the carrier sent for that Call-ID, so "misclassified" is measured, not assumed.
The campaign, contacts and attempts are written to the configured database (embedded by default)
under a campaign named bench-calls-<time>.
"""

from __future__ import annotations

import logging
import time
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import click
import psutil

from campaigns.attempt import Outcome
from campaigns.campaign import CampaignSpec, validate_spec
from campaigns.storage import attempt_store, campaign_store, trunk_store
from campaigns.storage.db import Connection, connect
from campaigns.trunk import TrunkSpec
from dialer import worker_registry
from dialer.bench.calls_agents import RobotFloor
from dialer.bench.phone_numbers import us_numbers
from dialer.bootstrap import redis_client
from dialer.carrier import Scenario, SippCarrier
from dialer.cli.runtime import Runtime
from dialer.cli.workers import check_database_room, worker_specs
from dialer.dial_queue import DialSender
from dialer.supervisor import ChildSpec, Supervisor
from dialer.telephony.endpoint_config import RTP_PORT_BLOCK
from dialer.telephony.ports import free_udp_port

log = logging.getLogger(__name__)

# What each final response from the carrier must be stored as (answered calls end in
# connected or abandoned, depending on agents).
_EXPECTED: dict[int, set[Outcome]] = {
    200: {Outcome.ANSWERED, Outcome.CONNECTED, Outcome.ABANDONED},
    486: {Outcome.BUSY},
    600: {Outcome.BUSY},
    480: {Outcome.NO_ANSWER},
    603: {Outcome.REJECTED},
    404: {Outcome.INVALID_NUMBER},
}


@dataclass(frozen=True)
class BenchSetup:
    campaign_id: int
    contacts: list[int]


def _setup(conn: Connection, carrier: SippCarrier, contacts: int) -> BenchSetup:
    stamp = datetime.now(UTC).strftime("%Y%m%d%H%M%S")
    trunk = trunk_store.insert_trunk(
        conn,
        TrunkSpec(
            name=f"bench-{stamp}", uri_template=carrier.uri_template, max_lines=10_000, max_cps=1000
        ),
    )
    campaign = campaign_store.insert_campaign(
        conn,
        validate_spec(
            CampaignSpec(name=f"bench-calls-{stamp}", caller_id="+12025550100", trunk=trunk.name)
        ),
    )
    with conn.transaction():
        row = conn.execute(
            "INSERT INTO contact_lists (campaign_id, name, default_region)"
            " VALUES (%s, 'bench', 'US') RETURNING id",
            (campaign.id,),
        ).fetchone()
        assert row is not None
        with conn.cursor().copy(
            "COPY contacts (campaign_id, list_id, phone_e164, time_zones, state) FROM STDIN"
        ) as copy:
            for number in us_numbers(contacts, seed=int(stamp)):
                copy.write_row((campaign.id, row[0], number, ["America/New_York"], "in_flight"))
    ids = [
        int(r[0])
        for r in conn.execute(
            "SELECT id FROM contacts WHERE campaign_id = %s ORDER BY id", (campaign.id,)
        )
    ]
    return BenchSetup(campaign.id, ids)


def _uss_mb(pids: list[int]) -> float:
    total = 0
    for pid in pids:
        try:
            total += psutil.Process(pid).memory_full_info().uss
        except psutil.Error:
            continue
    return total / 2**20


def run_calls_bench(
    runtime: Runtime,
    sender: DialSender,
    lines: int,
    seconds: float,
    workdir: Path,
    agents: int = 0,
    robot_args: tuple[str, ...] = (),
) -> dict[str, Any]:
    """With ``agents``, that many robot agents (and the dashboard they use) work the campaign."""
    services = runtime.services()
    processes = -(-lines // 2)
    check_database_room(runtime, processes)
    client = redis_client(services.redis_url)
    carrier = SippCarrier(Scenario.MIX, workdir, extra_args=("-max_socket", "10000")).start()
    env = {
        "DIALER_SIP_PORT_BASE": str(free_udp_port(block=processes)),
        "DIALER_RTP_PORT_BASE": str(
            free_udp_port(block=processes * RTP_PORT_BLOCK, low=20000, high=60000)
        ),
        "DIALER_RTP_PORTS_PER_PROCESS": str(RTP_PORT_BLOCK),
        "DIALER_WORKER_GRACE_S": "30",
    }
    specs = [
        ChildSpec(s.name, s.argv, {**s.env, **env}, s.restart, str(workdir / f"{s.name}.log"))
        for s in worker_specs(lines)
    ]
    with connect(services.database_url) as conn:
        setup = _setup(conn, carrier, contacts=int(lines * seconds) + 10 * lines)
        floor = RobotFloor(conn, setup.campaign_id, agents, workdir, list(robot_args))
        supervisor = Supervisor([*specs, *floor.dashboard], stop_timeout_s=60)
        # Robots stop first: they log out and post their last dispositions while the API is up.
        robots = Supervisor(floor.robots, stop_timeout_s=60)
        supervisor.start()
        robots.start()
        try:
            _wait_for_workers(client, processes)
            floor.wait_ready(services.redis_url)
            worker_pids = [w.pid for w in worker_registry.live_workers(client)]
            feed = _Feeder(conn, sender, setup, lines)
            started = time.monotonic()
            peak, memory = 0, 0.0
            while time.monotonic() - started < seconds:
                supervisor.poll()
                robots.poll()
                feed.top_up()
                peak = max(peak, feed.in_call())
                if not memory and time.monotonic() - started > seconds / 2:
                    memory = _uss_mb(worker_pids)
                time.sleep(0.05)
            elapsed = time.monotonic() - started
            feed.wait_all_ended(timeout=90)
            floor.wait_dispositions(timeout=30)
        finally:
            robots.stop()
            supervisor.stop()
            carrier.stop(settle=1.0)
        report = _report(conn, feed, carrier, lines, elapsed, peak, memory or _uss_mb(worker_pids))
        return report | floor.report()


def _wait_for_workers(client: Any, count: int) -> None:
    # Each process loads pjsua2 and Celery (about 1 CPU-second): 100 of them on 2 cores, with
    # anything else running, can take longer than a fixed two minutes.
    deadline = time.monotonic() + max(120, 3 * count)
    while len(worker_registry.live_workers(client)) < count:
        if time.monotonic() > deadline:
            raise click.ClickException("the workers did not all come up; see their logs")
        time.sleep(0.2)


class _Feeder:
    """Keeps `lines` attempts open: creates and enqueues one for every attempt that ends."""

    def __init__(self, conn: Connection, queue: DialSender, setup: BenchSetup, lines: int) -> None:
        self.conn, self.queue, self.setup, self.lines = conn, queue, setup, lines
        self.next_contact = 0
        self.attempts: list[int] = []

    def _open(self) -> int:
        row = self.conn.execute(
            "SELECT count(*) FROM call_attempts WHERE campaign_id = %s AND state <> 'ended'",
            (self.setup.campaign_id,),
        ).fetchone()
        return int(row[0]) if row else 0

    def in_call(self) -> int:
        row = self.conn.execute(
            "SELECT count(*) FROM call_attempts WHERE campaign_id = %s AND state IN"
            " ('dialing', 'ringing', 'answered', 'connected')",
            (self.setup.campaign_id,),
        ).fetchone()
        return int(row[0]) if row else 0

    def top_up(self) -> None:
        missing = self.lines - self._open()
        if missing <= 0:
            return
        contacts = self.setup.contacts[self.next_contact : self.next_contact + missing]
        self.next_contact += len(contacts)
        now = datetime.now(UTC)
        with self.conn.transaction():
            created = attempt_store.create_attempts(
                self.conn,
                self.setup.campaign_id,
                contacts,
                now=now,
                expires_at=now + timedelta(seconds=30),
            )
        self.attempts += created
        for attempt_id in created:
            self.queue.dial(attempt_id, expires_s=30)

    def wait_all_ended(self, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while self._open() and time.monotonic() < deadline:
            time.sleep(0.5)


def _report(
    conn: Connection,
    feed: _Feeder,
    carrier: SippCarrier,
    lines: int,
    elapsed: float,
    peak: int,
    uss_mb: float,
) -> dict[str, Any]:
    rows = conn.execute(
        "SELECT state, outcome, sip_call_id FROM call_attempts WHERE id = ANY(%s)", (feed.attempts,)
    ).fetchall()
    # How long a queued attempt waits for a worker's thread: lines idle meanwhile (prefetch).
    waited = conn.execute(
        "SELECT avg(extract(epoch FROM dial_at - queued_at)) FROM call_attempts"
        " WHERE id = ANY(%s) AND dial_at IS NOT NULL",
        (feed.attempts,),
    ).fetchone()
    outcomes = Counter(str(r[1]) for r in rows if r[0] == "ended")
    finals = carrier.final_responses()
    misclassified = 0
    for _state, outcome, call_id in rows:
        status = finals.get(str(call_id))
        if status in _EXPECTED and Outcome(str(outcome)) not in _EXPECTED[status]:
            misclassified += 1
    not_ended = sum(1 for r in rows if r[0] != "ended")
    placed = sum(1 for r in rows if r[1] not in ("expired", None))
    return {
        "lines": lines,
        "seconds": round(elapsed, 1),
        "attempts": len(rows),
        "calls_per_second": round(placed / elapsed, 2),
        "peak_concurrent_calls": peak,
        "queued_to_dial_s_mean": round(float(waited[0]), 2) if waited and waited[0] else None,
        "errors": not_ended + outcomes.get("failed", 0) + outcomes.get("worker_lost", 0),
        "misclassified": misclassified,
        "not_ended": not_ended,
        "invites_at_carrier": len(finals),
        "abandoned": outcomes.get("abandoned", 0),
        "outcome_counts": dict(sorted(outcomes.items())),
        "rss_mb_per_line": round(uss_mb / lines, 1),
        "memory_measure": "USS of the worker processes, mid-run, divided by lines",
    }
