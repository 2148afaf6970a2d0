"""`dialer bench import`: generate a realistic list, load its DNC file, import the list into a
fresh campaign, and report the import's wall time and the process tree's peak memory.

Only the list import is timed (file to committed contacts, as `dialer lists import` does it):
generating the file and loading the DNC list come before, dropping the campaign after.
"""

from __future__ import annotations

import os
import platform
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click
import phonenumbers
from psycopg.conninfo import conninfo_to_dict

from campaigns.campaign import CampaignSpec, validate_spec
from campaigns.contact_import.dnc_import import import_dnc_file
from campaigns.contact_import.pipeline import Progress, default_workers
from campaigns.contact_import.service import import_file
from campaigns.storage import campaign_store
from campaigns.storage.db import connect
from dialer.bench.cpu_time import CpuTime
from dialer.bench.list_generator import generate_list
from dialer.bench.peak_rss import PeakRss
from dialer.cli.output import emit_json
from dialer.cli.runtime import Runtime


def run_import_bench(
    database_url: str,
    rows: int,
    *,
    workers: int | None = None,
    keep: bool = False,
    on_progress: Callable[[Progress], None] | None = None,
    say: Callable[[str], None] = lambda _: None,
) -> dict[str, Any]:
    name = f"bench-import-{os.getpid()}-{int(time.time())}"
    with connect(database_url) as conn:
        campaign = campaign_store.insert_campaign(
            conn, validate_spec(CampaignSpec(name=name, caller_id="+12025550100"))
        )
    try:
        with tempfile.TemporaryDirectory(prefix="dialer-bench-") as folder:
            say(f"generating {rows} rows")
            generated = generate_list(Path(folder), rows)
            say(f"loading {generated.dnc_numbers} DNC numbers into the campaign's list")
            import_dnc_file(
                database_url, generated.dnc_path, campaign.id, source="bench DNC", workers=workers
            )
            say("importing")
            # Context for the figures: other work on the machine (a shared 2-core box) slows them.
            load_before = os.getloadavg()[0]
            with PeakRss() as memory, CpuTime(_database_name(database_url)) as cpu:
                started = time.perf_counter()
                status = import_file(
                    database_url, campaign.id, generated.path, on_progress=on_progress,
                    workers=workers,
                )  # fmt: skip
                seconds = time.perf_counter() - started
            file_mb = generated.path.stat().st_size / (1024 * 1024)
    finally:
        if not keep:
            with connect(database_url) as conn, conn.transaction():
                conn.execute("DELETE FROM campaigns WHERE id = %(id)s", {"id": campaign.id})
    return {
        "rows": status.counts.rows,
        "seconds": round(seconds, 2),
        "rows_per_second": round(status.counts.rows / seconds),
        "peak_rss_mb": memory.peak_mb,
        # CPU spent: the dialer's processes and the PostgreSQL backends; on an idle machine the
        # wall time approaches their sum divided by the cores.
        "cpu_seconds_dialer": round(cpu.own_seconds, 1),
        "cpu_seconds_postgresql": round(cpu.postgres_seconds, 1),
        **{k: v for k, v in status.counts.to_json().items() if k != "rows"},
        "file_mb": round(file_mb, 1),
        "workers": default_workers() if workers is None else workers,
        "cpus": os.cpu_count(),
        "python": platform.python_version(),
        "phonenumbers": phonenumbers.__version__,
        "postgresql": _server_version(database_url),
        "load_average_before": round(load_before, 2),
        "load_average_after": round(os.getloadavg()[0], 2),
        "campaign": name if keep else None,
    }


@click.command(name="import")
@click.option("--rows", type=click.IntRange(1, 20_000_000), default=1_000_000, show_default=True)
@click.option("--workers", type=int, help="Worker processes (default: one per core).")
@click.option("--keep", is_flag=True, help="Keep the benchmark campaign and its contacts.")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object (the default too).")
@click.pass_obj
def import_command(
    runtime: Runtime, *, rows: int, workers: int | None, keep: bool, as_json: bool
) -> None:
    """Generate a realistic list of ROWS rows and import it into a fresh campaign."""
    database_url = runtime.services().database_url
    with runtime.connection():
        pass  # checks the schema is current before spending minutes generating
    result = run_import_bench(
        database_url, rows, workers=workers, keep=keep, say=lambda text: click.echo(text, err=True)
    )
    emit_json(result)


def _database_name(database_url: str) -> str:
    return str(conninfo_to_dict(database_url).get("dbname") or "postgres")


def _server_version(database_url: str) -> str:
    with connect(database_url) as conn:
        row = conn.execute("SHOW server_version").fetchone()
    return str(row[0]) if row else "unknown"
