"""`dialer bench scheduler`: how long one scheduler tick takes with millions of contacts.

Builds (or reuses) a dedicated database with one running campaign of N contacts spread over
many time zones, then runs the real Scheduler.step() -- live agents from Redis, calls in flight,
abandonment counts, pacing, the claim with every compliance rule, attempt creation -- and times
each tick. Between ticks the placed calls are ended, so the claim keeps walking the list.
"""

from __future__ import annotations

import json
import os
import random
import statistics
import time as clock
from datetime import UTC, datetime, time, timedelta
from pathlib import Path
from typing import Any

import click
import redis
from psycopg import sql
from psycopg_pool import ConnectionPool

from campaigns.agents import AgentSpec, AgentState
from campaigns.campaign import CampaignSpec, CampaignState, DialMode, validate_spec
from campaigns.rules import CallingHours, RuleSetName, Window
from campaigns.storage import agent_store, campaign_store, claim_store, trunk_store
from campaigns.storage.db import Connection, connect, open_pool
from campaigns.trunk import TrunkSpec
from dialer import worker_registry
from dialer.agents.service import AgentService
from dialer.bootstrap import ensure_database, upgrade_database
from dialer.cli.runtime import Runtime
from dialer.scheduler.leader import LeaderLease
from dialer.scheduler.loop import Scheduler

ZONES = (
    ["America/New_York"] * 30 + ["America/Chicago"] * 20 + ["America/Denver"] * 8
    + ["America/Los_Angeles"] * 17 + ["Europe/London"] * 8 + ["Europe/Berlin"] * 7
    + ["Asia/Kolkata"] * 5 + ["Australia/Sydney"] * 5
)  # fmt: skip
BENCH_DATABASE = "dialer_bench_scheduler"


class _Recording:
    def __init__(self) -> None:
        self.sent = 0

    def dial(self, attempt_id: int, expires_s: float) -> None:
        self.sent += 1


def _with_database(url: str, name: str) -> str:
    from urllib.parse import urlsplit, urlunsplit

    return urlunsplit(urlsplit(url)._replace(path=f"/{name}"))


def _populate(conn: Connection, contacts: int) -> int:
    trunk = trunk_store.insert_trunk(
        conn, TrunkSpec("bench", "sip:{number}@127.0.0.1:5999", max_lines=10_000, max_cps=1000)
    )
    # 08:00-21:00 on weekdays: about half of the zones are open at any hour, as in real lists.
    spec = CampaignSpec(
        name="bench-scheduler",
        caller_id="+12025550100",
        trunk=trunk.name,
        dial_mode=DialMode.PROGRESSIVE,
        rule_set=RuleSetName.CUSTOM,
        calling_hours=CallingHours(Window(time(8), time(21)), Window(time(8), time(21)), None),
    )
    campaign = campaign_store.insert_campaign(conn, validate_spec(spec))
    rng = random.Random(5)
    first_retry = datetime(2026, 1, 1, tzinfo=UTC)
    with conn.transaction():
        row = conn.execute(
            "INSERT INTO contact_lists (campaign_id, name, default_region)"
            " VALUES (%s, 'bench', 'US') RETURNING id",
            (campaign.id,),
        ).fetchone()
        assert row is not None
        with conn.cursor().copy(
            "COPY contacts (campaign_id, list_id, phone_e164, time_zones, attempts,"
            " next_eligible_at) FROM STDIN"
        ) as copy:
            for n in range(contacts):
                # A fifth are retries due at spread-out times; the rest are fresh.
                retry = rng.random() < 0.2
                due = first_retry + timedelta(seconds=rng.randint(0, 10**7))
                zones = [rng.choice(ZONES)]
                copy.write_row(
                    (campaign.id, row[0], f"+1{2000000000 + n}", zones, int(retry),
                     due if retry else "-infinity")
                )  # fmt: skip
    conn.execute("ANALYZE contacts")
    return campaign.id


def _ready_agents(
    pool: ConnectionPool, service: AgentService, campaign_id: int, count: int
) -> None:
    now = datetime.now(UTC)
    service.ensure_built(now)
    with pool.connection() as conn:
        for n in range(count):
            name = f"bench-agent-{n}"
            found = conn.execute(
                "SELECT a.id FROM agents a JOIN users u ON u.id = a.user_id WHERE u.username = %s",
                (name,),
            ).fetchone()
            if found is None:
                spec = AgentSpec(sip_uri=f"sip:{name}@127.0.0.1", campaign_ids=(campaign_id,))
                agent_id = agent_store.insert_agent(conn, name, name, "!", spec).id
            else:
                agent_id = int(found[0])
            if service.status(agent_id).state is AgentState.LOGGED_OUT:
                service.login(agent_id, now, campaign_ids=[campaign_id])
            service.ready(agent_id, now)


def run_scheduler_bench(
    runtime: Runtime, contacts: int, ticks: int, agents: int, reuse: bool
) -> dict[str, Any]:
    services = runtime.services()
    url = _with_database(services.database_url, BENCH_DATABASE)
    with connect(services.database_url) as admin:
        exists = admin.execute(
            "SELECT 1 FROM pg_database WHERE datname = %s", (BENCH_DATABASE,)
        ).fetchone()
        if exists and not reuse:
            admin.execute(
                sql.SQL("DROP DATABASE {} WITH (FORCE)").format(sql.Identifier(BENCH_DATABASE))
            )
    ensure_database(url)
    upgrade_database(url)
    built = 0.0
    with connect(url) as conn:
        found = conn.execute("SELECT id FROM campaigns WHERE name = 'bench-scheduler'").fetchone()
        if found is None:
            started = clock.monotonic()
            campaign_id = _populate(conn, contacts)
            built = clock.monotonic() - started
        else:
            campaign_id = int(found[0])
        conn.execute("UPDATE contacts SET state = 'dialable' WHERE state = 'in_flight'")
        conn.execute("DELETE FROM call_attempts")
        # As autovacuum keeps it (migration 0012: after 20,000 dead rows): a reused table starts
        # vacuumed, and the run's own 200 ticks leave about 8,000 dead rows, half that limit.
        conn.execute("VACUUM (ANALYZE) contacts")
        # The DELETE above leaves a previous run's attempts dead in the indexes that every count
        # of open attempts walks (a live table keeps a few open ones among many ended ones).
        conn.execute("VACUUM (ANALYZE) call_attempts")
        campaign_store.set_campaign_state(conn, campaign_id, CampaignState.RUNNING)
        total = conn.execute("SELECT count(*) FROM contacts").fetchone()
    client = redis.Redis.from_url(services.redis_url, decode_responses=True)
    pool = open_pool(url, max_size=4, name="bench-scheduler")
    try:
        service = AgentService(client, pool)
        _ready_agents(pool, service, campaign_id, agents)

        def allocate(leader: str) -> int:
            with pool.connection() as conn:
                return claim_store.next_fencing_token(conn, leader)

        sender = _Recording()
        load_before = os.getloadavg()[0]
        scheduler = Scheduler(pool, client, service, sender, LeaderLease(client, allocate))
        durations = []
        for _ in range(ticks):
            worker = worker_registry.WorkerStatus("bench@host:1", 1000, agents, "127.0.0.1:1", 1)
            worker_registry.publish(client, worker)
            started = clock.perf_counter()
            scheduler.step()
            durations.append((clock.perf_counter() - started) * 1000)
            with pool.connection() as conn, conn.transaction():
                # The calls placed "end" at once (busy), so the next tick dials again. (By the
                # open attempts' contacts: `WHERE state = 'in_flight'` alone scans 10M rows.)
                conn.execute(
                    "UPDATE contacts SET state = 'done' WHERE state = 'in_flight' AND id IN"
                    " (SELECT contact_id FROM call_attempts WHERE state <> 'ended')"
                )
                conn.execute(
                    "UPDATE call_attempts SET state = 'ended', outcome = 'busy', hangup_at = now()"
                    " WHERE state <> 'ended'"
                )
    finally:
        pool.close()
    ordered = sorted(durations[1:])  # the first tick warms the statistics and caches
    return {
        "contacts": int(total[0]) if total else 0,
        "ticks": len(ordered),
        "calls_placed": sender.sent,
        "tick_ms_p50": round(statistics.median(ordered), 2),
        "tick_ms_p95": round(ordered[int(0.95 * (len(ordered) - 1))], 2),
        "tick_ms_max": round(ordered[-1], 2),
        "agents_ready_each_tick": agents,
        "database_built_seconds": round(built, 1),
        # Ticks wait on PostgreSQL: other work on the machine shows in p95 and max.
        "cpus": os.cpu_count(),
        "load_average_before": round(load_before, 2),
        "load_average_after": round(os.getloadavg()[0], 2),
        "measured": "Scheduler.step(): live state, pacing, claim with every rule, attempts",
    }


@click.command(name="scheduler")
@click.option("--contacts", type=int, default=10_000_000, show_default=True)
@click.option("--ticks", type=int, default=200, show_default=True)
@click.option("--agents", type=int, default=20, show_default=True, help="Ready agents each tick.")
@click.option("--reuse", is_flag=True, help="Keep the bench database of a previous run.")
@click.option("--json", "as_json", is_flag=True)
@click.option("--output", type=click.Path(dir_okay=False, path_type=Path))
@click.pass_obj
def scheduler_command(
    runtime: Runtime,
    contacts: int,
    ticks: int,
    agents: int,
    reuse: bool,
    as_json: bool,
    output: Path | None,
) -> None:
    """Time the scheduler's tick for one campaign with CONTACTS contacts (claim included)."""
    result = run_scheduler_bench(runtime, contacts, ticks, agents, reuse)
    if output:
        output.write_text(json.dumps(result, indent=2) + "\n")
    click.echo(json.dumps(result) if as_json else json.dumps(result, indent=2))
