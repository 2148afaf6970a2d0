"""`dialer bench reports`: every report and the wallboard, timed on a large synthetic history.

The data set goes into its own database (default `dialer_bench_reports` on the configured server),
built once and kept for `--reuse`. Each report runs `--runs` times after one warm-up run; the time
is the query plus its folding into rows, measured around the call on the same host (the page's
server time before rendering). Figures: p50/p95/max in ms per report and scenario.

The wallboard is timed twice: its query alone, and the whole API answer's reads (dialer.wallboard:
the query, open attempts, agents, pacing state and worker lines in the configured Redis, the
dialable-contact counts as kept between recounts). The recount of dialable contacts, which runs
at most every 30 s per campaign rather than on each update, is timed on its own.
"""

from __future__ import annotations

import json
import os
import statistics
import sys
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from time import perf_counter
from typing import TYPE_CHECKING, Any

import click
import psycopg
import redis
from psycopg import sql
from psycopg.conninfo import conninfo_to_dict, make_conninfo

from campaigns.campaign import Campaign
from campaigns.report_filter import ReportFilter
from campaigns.storage import campaign_store, claim_store, migrate
from campaigns.storage.db import Connection, connect
from campaigns.storage.reports.abandonment import abandonment_per_day
from campaigns.storage.reports.agents import agent_performance_report
from campaigns.storage.reports.best_time import best_time_to_call
from campaigns.storage.reports.calls_per_hour import calls_per_hour
from campaigns.storage.reports.inbound import inbound_per_hour
from campaigns.storage.reports.lists import list_state_counts
from campaigns.storage.reports.outcomes import outcome_breakdown, outcome_funnel
from campaigns.storage.reports.wallboard import wallboard_figures
from dialer.bench.history import HistorySpec, generate_history
from dialer.bootstrap import RedisUnavailable, redis_client
from dialer.wallboard import read_wallboard
from dialer.wallboard_contacts import ContactCounter

if TYPE_CHECKING:  # the CLI package imports this module: no import back at run time
    from dialer.cli.runtime import Runtime

REPORT_TARGET_MS = 300.0
WALLBOARD_TARGET_MS = 50.0

REPORTS: dict[str, Callable[[Connection, ReportFilter], list[Any]]] = {
    "calls_per_hour": calls_per_hour,
    "abandonment_per_day": abandonment_per_day,
    "outcome_breakdown": outcome_breakdown,
    "funnel": outcome_funnel,
    "agent_performance": agent_performance_report,
    "list_penetration": list_state_counts,
    "best_time_to_call": best_time_to_call,
    "inbound_service": inbound_per_hour,
}


@dataclass(frozen=True)
class Timing:
    p50_ms: float
    p95_ms: float
    max_ms: float
    rows: int

    def as_json(self) -> dict[str, float | int]:
        return {
            "p50_ms": round(self.p50_ms, 2),
            "p95_ms": round(self.p95_ms, 2),
            "max_ms": round(self.max_ms, 2),
            "rows": self.rows,
        }


def time_call(call: Callable[[], list[Any]], runs: int) -> Timing:
    rows = len(call())  # warm-up: plans, caches
    samples = []
    for _ in range(runs):
        began = perf_counter()
        call()
        samples.append((perf_counter() - began) * 1000)
    samples.sort()
    p95 = samples[min(len(samples) - 1, round(0.95 * (len(samples) - 1)))]
    return Timing(statistics.median(samples), p95, samples[-1], rows)


@click.command("reports")
@click.option(
    "--database",
    default="dialer_bench_reports",
    show_default=True,
    help="Database on the configured server that holds the data set.",
)
@click.option("--reuse", is_flag=True, help="Use the data set already in --database.")
@click.option("--attempts", default=10_000_000, show_default=True, type=click.IntRange(1000))
@click.option("--days", default=30, show_default=True, type=click.IntRange(2, 120))
@click.option("--campaigns", default=20, show_default=True, type=click.IntRange(1, 200))
@click.option("--runs", default=20, show_default=True, type=click.IntRange(1, 1000))
@click.option(
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Also write the JSON figures to this file.",
)
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")
@click.pass_obj
def reports_bench(
    runtime: Runtime,
    database: str,
    reuse: bool,
    attempts: int,
    days: int,
    campaigns: int,
    runs: int,
    output: Path | None,
    as_json: bool,
) -> None:
    """Time every report and the wallboard query on a large synthetic history."""
    url = make_conninfo(runtime.services().database_url, dbname=database)
    if not reuse:
        _recreate(url)
        spec = HistorySpec(
            attempts=attempts, days=days, campaigns=campaigns, end=_hour(datetime.now(UTC))
        )
        with connect(url) as conn:
            summary = generate_history(conn, spec, lambda line: click.echo(line, err=True))
            # Kept with the data, so a --reuse run still reports how the data set was built.
            built = {"generation_s": round(summary.seconds, 1), "seed": spec.seed}
            conn.execute(
                sql.SQL("COMMENT ON DATABASE {} IS {}").format(
                    sql.Identifier(database), sql.Literal(json.dumps(built))
                )
            )
    try:
        client: redis.Redis | None = redis_client(runtime.services().redis_url)
    except RedisUnavailable as error:
        click.echo(f"no Redis, the wallboard's whole answer is not timed: {error}", err=True)
        client = None
    with connect(url) as conn:
        dataset = {"reused": reuse, **_built(conn), **_dataset(conn)}
        counter = ContactCounter(client, lambda: connect(url)) if client else None
        figures = run_bench(conn, runs, datetime.fromisoformat(dataset["end"]), days, counter)
    result = {
        "command": "dialer bench reports " + " ".join(sys.argv[sys.argv.index("reports") + 1 :])
        if "reports" in sys.argv
        else "dialer bench reports",
        "dataset": dataset,
        "measured": "wall time of the query and its folding into rows, on the database host, "
        "after one warm-up run (the page's server time before charts are rendered)",
        # The machine may be shared: its load as the timing ends says how to read the figures.
        "load_average_1m": round(os.getloadavg()[0], 2),
        "runs": runs,
        "targets_ms": {"report": REPORT_TARGET_MS, "wallboard": WALLBOARD_TARGET_MS},
        **figures,
    }
    if output:
        output.parent.mkdir(parents=True, exist_ok=True)
        output.write_text(_dumps(result) + "\n")
    if as_json:
        click.echo(json.dumps(result, default=str))
    else:
        timed = {**result["reports"], **result["wallboard"], **result["wallboard_every_30s"]}
        for name, timing in timed.items():
            click.echo(f"{name:55s} p50 {timing['p50_ms']:8.1f} ms  p95 {timing['p95_ms']:8.1f} ms")


def run_bench(
    conn: Connection, runs: int, end: datetime, days: int, contacts: ContactCounter | None = None
) -> dict[str, Any]:
    ids = [int(r[0]) for r in conn.execute("SELECT id FROM campaigns ORDER BY id").fetchall()]
    zone = conn.execute("SELECT timezone FROM campaigns ORDER BY id LIMIT 1").fetchone()
    tz = str(zone[0]) if zone else "UTC"
    last = (
        (end - timedelta(seconds=1))
        .astimezone(ReportFilter((), end.date(), end.date(), tz).zone)
        .date()
    )
    scenarios = {
        f"all_campaigns_{days}d": ReportFilter((), last - timedelta(days=days - 1), last, tz),
        f"one_campaign_{days}d": ReportFilter((ids[0],), last - timedelta(days=days - 1), last, tz),
        "one_campaign_7d": ReportFilter((ids[0],), last - timedelta(days=6), last, tz),
    }
    reports = {}
    for name, report in REPORTS.items():
        for scenario, scope in scenarios.items():
            timing = time_call(lambda r=report, s=scope: r(conn, s), runs)  # type: ignore[misc]
            reports[f"{name}/{scenario}"] = timing.as_json()
    wallboard = {
        "wallboard/one_campaign": time_call(
            lambda: wallboard_figures(conn, ids[:1], end), runs
        ).as_json(),
        "wallboard/all_campaigns": time_call(
            lambda: wallboard_figures(conn, ids, end), runs
        ).as_json(),
    }
    periodic = {}
    if contacts is not None:
        largest = _largest_campaign(conn)
        wallboard.update(_wallboard_answer(conn, contacts, largest, end, runs))
        # Not per update: at most every 30 s per campaign (dialer.wallboard.DIALABILITY_MAX_AGE).
        periodic["wallboard/dialability_recount_largest_campaign"] = time_call(
            lambda: [claim_store.dialability_counts(conn, largest, end)], runs
        ).as_json()
    slowest_report = max(t["p95_ms"] for t in reports.values())
    slowest_wallboard = max(t["p95_ms"] for t in wallboard.values())
    return {
        "reports": reports,
        "wallboard": wallboard,
        "wallboard_every_30s": periodic,
        "slowest_report_p95_ms": slowest_report,
        "slowest_wallboard_p95_ms": slowest_wallboard,
        "within_targets": slowest_report < REPORT_TARGET_MS
        and slowest_wallboard < WALLBOARD_TARGET_MS,
    }


def _wallboard_answer(
    conn: Connection, contacts: ContactCounter, campaign: Campaign, end: datetime, runs: int
) -> dict[str, dict[str, float | int]]:
    """The reads of one /api/v1/campaigns/<id>/wallboard answer (for the campaign with the most
    contacts); the warm-up run counts its dialable contacts, the timed runs read them kept (a
    recount runs in a background thread every 30 s, off the answer's path)."""
    client = contacts.client
    return {
        "wallboard/whole_answer_largest_campaign": time_call(
            lambda: [read_wallboard(conn, client, contacts, campaign, end)], runs
        ).as_json()
    }


def _largest_campaign(conn: Connection) -> Campaign:
    row = conn.execute(
        "SELECT campaign_id FROM contacts GROUP BY campaign_id ORDER BY count(*) DESC LIMIT 1"
    ).fetchone()
    assert row is not None, "the data set has no contacts"
    return campaign_store.get_campaign(conn, int(row[0]))


def _recreate(url: str) -> None:
    name = str(conninfo_to_dict(url)["dbname"])
    admin = make_conninfo(url, dbname="postgres")
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
        )
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    with connect(url) as conn:
        migrate.upgrade(conn)


def _dataset(conn: Connection) -> dict[str, Any]:
    counts = {}
    for table in ("call_attempts", "contacts", "agent_state_history", "inbound_calls"):
        row = conn.execute(
            sql.SQL("SELECT count(*) FROM {}").format(sql.Identifier(table))
        ).fetchone()
        counts[table] = int(row[0]) if row else 0
    campaigns = conn.execute("SELECT count(*) FROM campaigns").fetchone()
    last = conn.execute("SELECT max(hour) FROM report_attempt_hours").fetchone()
    end = (last[0] + timedelta(hours=1)) if last and last[0] else _hour(datetime.now(UTC))
    return {
        "rows": counts,
        "campaigns": int(campaigns[0]) if campaigns else 0,
        "end": end.astimezone(UTC).isoformat(),
        "cpus": _cpus(),
    }


def _built(conn: Connection) -> dict[str, Any]:
    """How the data set was built, from the comment the building run left on the database."""
    row = conn.execute(
        "SELECT shobj_description(oid, 'pg_database') FROM pg_database"
        " WHERE datname = current_database()"
    ).fetchone()
    try:
        found = json.loads(row[0]) if row and row[0] else {}
    except json.JSONDecodeError:
        return {}
    return found if isinstance(found, dict) else {}


def _hour(moment: datetime) -> datetime:
    return moment.replace(minute=0, second=0, microsecond=0)


def _cpus() -> int:
    return os.cpu_count() or 0


def _dumps(data: object) -> str:
    return json.dumps(data, indent=2, sort_keys=False, default=str)
