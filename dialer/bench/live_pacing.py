"""`dialer bench live-pacing`: the demo's real processes (sipp carrier, workers with pjsua2, the
scheduler in predictive mode, the dashboard, robot agents) on a fresh campaign, then what the
stored rows say about the pacing: ramp-up, occupancy, abandonment against the target and cap.

A fresh campaign so the pacer starts without history (warm-up, then predictive) and the figures
count only this run. While it runs, the scheduler's published decision is sampled once a second
(it expires after a minute, so it cannot be read afterwards).
"""

from __future__ import annotations

import json
import os
import socket
from dataclasses import asdict
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import click
import redis

from campaigns.campaign import CampaignState
from campaigns.storage import campaign_store
from campaigns.storage.db import Connection
from dialer.bench import live_pacing_rows
from dialer.bench.live_pacing_analysis import (
    PacingSample,
    abandoned_with_an_agent_ready,
    analyse,
    samples_from_buckets,
)
from dialer.bench.live_pacing_chart import live_pacing_figure
from dialer.bootstrap import redis_client
from dialer.cli.demo_floor import FloorOptions, lines_for, run_for, start_floor
from dialer.cli.output import emit_json
from dialer.cli.runtime import Runtime
from dialer.demo.setup import prepare_fresh
from dialer.pacing.calibration import model_check
from dialer.scheduler.published import PACING_KEY
from dialer.softphone.provision import provision_robots
from dialer.supervisor import Supervisor
from dialer.telephony.ports import free_udp_port

PROGRESS_EVERY_S = 30.0


def _free_tcp_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _sample(client: redis.Redis, campaign_id: int) -> PacingSample | None:
    try:
        raw = client.get(PACING_KEY + str(campaign_id))
    except redis.RedisError:
        return None
    if not raw:
        return None
    state = json.loads(str(raw))
    level = state.get("dial_level")
    return PacingSample(
        datetime.fromisoformat(state["at"]),
        str(state["reason"]),
        None if level is None else float(level),
    )


def _write_plot(result: dict[str, Any], path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    live_pacing_figure(result).write_html(path, include_plotlyjs=True)


@click.command(name="live-pacing")
@click.option("--agents", type=click.IntRange(2, 40), default=10, show_default=True)
@click.option("--minutes", type=click.FloatRange(0.5, 120), default=5.0, show_default=True)
@click.option(
    "--answer-rate",
    type=click.FloatRange(0.05, 0.95),
    default=0.3,
    show_default=True,
    help="Share of calls a person answers at the simulated carrier.",
)
@click.option(
    "--talk-mean",
    type=float,
    default=25.0,
    show_default=True,
    help="Robot agents' mean talk time in seconds.",
)
@click.option(
    "--numbers",
    type=click.IntRange(200, 200_000),
    default=5000,
    show_default=True,
    help="Contacts in the fresh campaign's list (about half are inside their calling window).",
)
@click.option("--bucket-seconds", type=click.FloatRange(5, 600), default=30.0, show_default=True)
@click.option("--json", "as_json", is_flag=True, help="Print the whole result as JSON.")
@click.option("--output", type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "--plot",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Also write the figure as a self-contained HTML file (plotly.js inside).",
)
@click.option(
    "--replot",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="Run nothing: draw --plot from a result written by --output.",
)
@click.option(
    "--reanalyse",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="Run nothing: analyse again the run of a result (its database must still hold it).",
)
@click.pass_obj
def live_pacing_command(
    runtime: Runtime,
    agents: int,
    minutes: float,
    answer_rate: float,
    talk_mean: float,
    numbers: int,
    bucket_seconds: float,
    as_json: bool,
    output: Path | None,
    plot: Path | None,
    replot: Path | None,
    reanalyse: Path | None,
) -> None:
    """A live campaign against sipp with robot agents: does the pacing ramp up and hold?"""
    if replot is not None:
        if plot is None:
            raise click.UsageError("--replot needs --plot FILE.html")
        _write_plot(json.loads(replot.read_text()), plot)
        return
    if reanalyse is not None:
        _emit(_reanalyse(runtime, reanalyse), output, plot, as_json)
        return
    load_at_start = [round(v, 2) for v in os.getloadavg()]
    settings = runtime.settings
    services = runtime.services()
    logs = settings.data_dir / "bench-live-pacing" / "logs"
    logs.mkdir(parents=True, exist_ok=True)
    carrier_port = free_udp_port()
    name = f"Live pacing {datetime.now(UTC):%Y-%m-%d %H.%M.%S}"
    click.echo(f"preparing campaign {name!r} with {numbers} contacts...", err=True)
    with runtime.connection() as conn:
        setup = prepare_fresh(
            conn,
            services.database_url,
            settings.data_dir,
            name=name,
            carrier_uri=f"sip:{{number}}@127.0.0.1:{carrier_port}",
            numbers=numbers,
        )
        # Agents of their own too: no state left over from an earlier run (a robot stopped
        # mid-call can stay logged in), no history in the occupancy figures.
        prefix = f"pacing-{setup.campaign.id}-robot"
        robots = provision_robots(conn, agents, (setup.campaign.id,), prefix=prefix)
        others = live_pacing_rows.other_running_campaigns(conn, setup.campaign.id)
    if others:
        click.echo(f"warning: other campaigns are running and share the lines: {others}", err=True)
    campaign_id = setup.campaign.id
    client = redis_client(services.redis_url)
    options = FloorOptions(
        carrier_port, "127.0.0.1", _free_tcp_port(), answer_rate, talk_mean, logs
    )
    samples: dict[datetime, PacingSample] = {}
    window: dict[str, datetime] = {}
    supervisor: Supervisor | None = None

    def set_state(state: CampaignState) -> datetime:
        with runtime.connection() as conn:
            campaign_store.set_campaign_state(conn, campaign_id, state)
        return datetime.now(UTC)

    def tick() -> None:
        sample = _sample(client, campaign_id)
        if sample is not None:
            samples[sample.at] = sample
        now = datetime.now(UTC)
        if (now - window["progress"]).total_seconds() >= PROGRESS_EVERY_S:
            window["progress"] = now
            last = max(samples.values(), key=lambda s: s.at, default=None)
            click.echo(
                f"{(now - window['start']).total_seconds() / 60:4.1f} min  "
                f"{'-' if last is None else f'{last.reason} dial level {last.dial_level}'}",
                err=True,
            )

    def time_up() -> None:
        window["end"] = set_state(CampaignState.PAUSED)

    try:
        supervisor = start_floor(robots, options)
        window["start"] = window["progress"] = set_state(CampaignState.RUNNING)
        click.echo(f"running {minutes} min; logs in {logs}", err=True)
        run_for(supervisor, minutes, tick, time_up)
    finally:
        if supervisor is not None:
            supervisor.stop()
        set_state(CampaignState.PAUSED)
    if "end" not in window:
        raise click.ClickException(f"stopped before the time was up: no result (logs in {logs})")
    start, end = window["start"], window["end"]
    ordered = sorted(samples.values(), key=lambda s: s.at)
    with runtime.connection() as conn:
        analysis = _analysis(conn, campaign_id, start, end, ordered, bucket_seconds)
    result: dict[str, Any] = {
        "benchmark": "live-pacing",
        "campaign": name,
        "agents": agents,
        "lines": lines_for(agents),
        "minutes": minutes,
        "answer_rate": answer_rate,
        "talk_mean_s": talk_mean,
        "wrap_s": 3,
        "bucket_s": bucket_seconds,
        "started_at": start.isoformat(),
        "ended_at": end.isoformat(),
        "other_running_campaigns": others,
        "cpu_count": os.cpu_count(),
        "load_average_at_start": load_at_start,
        "load_average_at_end": [round(v, 2) for v in os.getloadavg()],
        **analysis,
    }
    _emit(result, output, plot, as_json)


def _analysis(
    conn: Connection,
    campaign_id: int,
    start: datetime,
    end: datetime,
    samples: list[PacingSample],
    bucket_s: float,
) -> dict[str, Any]:
    """The stored rows of the run analysed, with the scheduler's samples it was given."""
    campaign = campaign_store.get_campaign(conn, campaign_id)
    agent_ids = live_pacing_rows.campaign_agent_ids(conn, campaign_id)
    attempts = live_pacing_rows.attempts(conn, campaign_id, start, end)
    intervals = live_pacing_rows.state_intervals(conn, agent_ids, start, end)
    buckets, summary = analyse(
        attempts,
        intervals,
        samples,
        start=start,
        end=end,
        abandon_target=campaign.spec.abandon_target,
        abandon_cap=campaign.spec.rules.abandon_cap,
        bucket_s=bucket_s,
    )
    return {
        "dial_mode": campaign.spec.dial_mode.value,
        "pacing_samples": len(samples),
        "summary": asdict(summary),
        "buckets": [asdict(b) for b in buckets],
        # the answered calls predictive decisions placed: abandoned vs what the model expected
        "model_check": model_check(
            (a.pacing_risk, a.abandoned) for a in attempts if a.live and a.pacing_risk is not None
        ).as_json(),
        "samples": [[s.at.isoformat(), s.reason, s.dial_level] for s in samples],
        # hand-offs that failed while an agent was free (the claim's fault, not pacing's)
        "abandoned_with_an_agent_ready": [
            {
                "answer_at": a.answer_at.isoformat() if a.answer_at else None,
                "message_start_at": a.message_start_at.isoformat() if a.message_start_at else None,
            }
            for a in abandoned_with_an_agent_ready(attempts, intervals, end)
        ],
    }


def _reanalyse(runtime: Runtime, path: Path) -> dict[str, Any]:
    """A committed result analysed again from the rows still in its database (new figures,
    same run); samples come from the result, or are rebuilt from its buckets if it has none."""
    old = json.loads(path.read_text())
    start = datetime.fromisoformat(old["started_at"])
    end = datetime.fromisoformat(old["ended_at"])
    bucket_s = float(old.get("bucket_s", 30.0))
    if "samples" in old:
        samples = [
            PacingSample(datetime.fromisoformat(at), reason, level)
            for at, reason, level in old["samples"]
        ]
        rebuilt = False
    else:
        predictive_from = old["summary"]["predictive_from_s"]
        samples = samples_from_buckets(old["buckets"], start, end, predictive_from, bucket_s)
        rebuilt = True
    with runtime.connection() as conn:
        campaign = campaign_store.find_campaign(conn, old["campaign"])
        analysis = _analysis(conn, campaign.id, start, end, samples, bucket_s)
    if rebuilt:
        analysis["samples_rebuilt_from_buckets"] = True
    return {**old, **analysis, "reanalysed_at": datetime.now(UTC).isoformat()}


def _emit(result: dict[str, Any], output: Path | None, plot: Path | None, as_json: bool) -> None:
    text = json.dumps(result, indent=1)
    if output:
        output.parent.mkdir(parents=True, exist_ok=True)
        output.write_text(text + "\n")
    if plot:
        _write_plot(result, plot)
    if as_json:
        emit_json(result)
    else:
        for key, value in result["summary"].items():
            click.echo(f"{key:24} {value}")
