"""`dialer bench inbound`: callers at a fixed rate against a queue with robot agents.

Everything is real: `dialer inbound` processes (pjsua2, two calls each), robot agents (`dialer
softphone --robot`, four per process) and the dashboard whose API they use, sipp as the callers
(one sipp per inbound process: there is no SIP proxy in front, so each process's port is called
directly at rate / processes). Every call sipp made must be in inbound_calls with an outcome:
the report counts what sipp created, what we stored, and the difference ("unaccounted").
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
import time
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import click
import psutil

from campaigns.campaign import CampaignSpec, validate_spec
from campaigns.storage import campaign_store, inbound_store
from campaigns.storage.db import Connection, connect
from campaigns.storage.inbound_store import Overflow
from dialer.bench.calls_agents import RobotFloor
from dialer.carrier import Scenario, SippCarrier
from dialer.cli.inbound import inbound_specs
from dialer.cli.runtime import Runtime
from dialer.inbound import media
from dialer.inbound import proxy as inbound_proxy
from dialer.supervisor import ChildSpec, Supervisor
from dialer.telephony.ports import free_udp_port

CALLER = "+12125550199"

# One SIP call may have several rows behind the proxy: a 'rejected' one per full process it
# was offered to, then its real outcome in the process that took it. Its outcome is the latter.
_OUTCOMES = """
SELECT final, count(*), sum(rows) FROM (
    SELECT coalesce(max(outcome) FILTER (WHERE outcome <> 'rejected'), 'rejected') AS final,
           count(*) AS rows
    FROM inbound_calls WHERE did = %(did)s GROUP BY sip_call_id) t
GROUP BY 1
"""
_WAITS = """
SELECT count(*),
       percentile_cont(0.5) WITHIN GROUP (ORDER BY s),
       percentile_cont(0.99) WITHIN GROUP (ORDER BY s),
       max(s)
FROM (SELECT extract(epoch FROM answered_at - offered_at) AS s FROM inbound_calls
      WHERE did = %(did)s AND outcome = 'answered') t
"""
_SPAN = """
SELECT min(offered_at), max(offered_at), count(*) FILTER (WHERE outcome IS NULL)
FROM inbound_calls WHERE did = %(did)s
"""
# One agent on two inbound calls at once would be a broken claim.
_OVERLAPS = """
SELECT count(*) FROM inbound_calls a JOIN inbound_calls b
  ON a.agent_id = b.agent_id AND a.id < b.id
WHERE a.did = %(did)s AND b.did = %(did)s AND a.answered_at IS NOT NULL
  AND b.answered_at IS NOT NULL
  AND a.answered_at < coalesce(b.ended_at, 'infinity')
  AND b.answered_at < coalesce(a.ended_at, 'infinity')
"""


@click.command(name="inbound")
@click.option("--rate", type=float, default=20.0, show_default=True, help="Calls per second.")
@click.option("--seconds", type=float, default=120.0, show_default=True)
@click.option("--calls", type=click.IntRange(2, 400), default=60, show_default=True,
              help="Calls carried at once (inbound processes x 2).")  # fmt: skip
@click.option("--agents", type=click.IntRange(1, 400), default=40, show_default=True)
@click.option("--talk-mean", type=float, default=2.0, show_default=True)
@click.option("--talk-cv", type=float, default=0.3, show_default=True)
@click.option("--max-wait", type=click.IntRange(5, 3600), default=10, show_default=True)
@click.option("--json", "as_json", is_flag=True, help="Print the result as one line of JSON.")
@click.option("--output", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--keep-logs", is_flag=True)
@click.option("--proxy", is_flag=True, help="Call one address: Kamailio in front (failover).")
@click.option(
    "--proxy-order",
    type=click.Choice([o.value for o in inbound_proxy.Order]),
    default=inbound_proxy.Order.LOAD.value,
    show_default=True,
    help="With --proxy: spread (round-robin), fill, or load (calls counted per process).",
)
@click.pass_obj
def inbound_command(
    runtime: Runtime,
    rate: float,
    seconds: float,
    calls: int,
    agents: int,
    talk_mean: float,
    talk_cv: float,
    max_wait: int,
    as_json: bool,
    output: Path | None,
    keep_logs: bool,
    proxy: bool,
    proxy_order: str,
) -> None:
    """Call a queue at RATE calls/s for SECONDS; check every call is stored with an outcome."""
    workdir = Path(tempfile.mkdtemp(prefix="dialer-bench-inbound-"))
    robot_args = ["--talk-mean", str(talk_mean), "--talk-cv", str(talk_cv), "--seed", "1"]
    try:
        result = run_inbound_bench(
            runtime, rate, seconds, calls, agents, robot_args, max_wait, workdir,
            inbound_proxy.Order(proxy_order) if proxy else None,
        )  # fmt: skip
        result["command"] = (
            f"dialer bench inbound --rate {rate:g} --seconds {seconds:g} --calls {calls}"
            f" --agents {agents} --talk-mean {talk_mean:g} --talk-cv {talk_cv:g}"
            f" --max-wait {max_wait}" + (f" --proxy --proxy-order {proxy_order}" if proxy else "")
        )
    finally:
        if keep_logs:
            click.echo(f"logs in {workdir}", err=True)
        else:
            shutil.rmtree(workdir, ignore_errors=True)
    if output:
        output.write_text(json.dumps(result, indent=2) + "\n")
    click.echo(json.dumps(result) if as_json else json.dumps(result, indent=2))


def _setup(conn: Connection, max_wait: int) -> tuple[int, str]:
    stamp = datetime.now(UTC).strftime("%Y%m%d%H%M%S")
    campaign = campaign_store.insert_campaign(
        conn,
        validate_spec(CampaignSpec(name=f"bench-inbound-{stamp}", caller_id="+12025550100")),
    )
    did = f"+1800{stamp[-7:]}"
    inbound_store.add_queue(
        conn,
        f"bench-inbound-{stamp}",
        campaign.id,
        [did],
        max_wait_s=max_wait,
        overflow=Overflow.CALLBACK,
    )
    return campaign.id, did


def run_inbound_bench(
    runtime: Runtime,
    rate: float,
    seconds: float,
    calls: int,
    agents: int,
    robot_args: list[str],
    max_wait: int,
    workdir: Path,
    proxy: inbound_proxy.Order | None = None,
) -> dict[str, Any]:
    services = runtime.services()
    processes = -(-calls // 2)
    port = free_udp_port(block=processes)
    rtp = free_udp_port(block=processes * 16, low=20000, high=60000)
    specs = [
        ChildSpec(s.name, s.argv, {**s.env, "DIALER_CARRIER_ADDRESSES": "127.0.0.1"},
                  s.restart, s.log_path)
        for s in inbound_specs(calls, port, rtp, grace=30, log_dir=str(workdir))
    ]  # fmt: skip
    listening = set(range(port, port + processes))
    targets = [(port + index, 1) for index in range(processes)]
    if proxy is not None:
        proxy_port = free_udp_port()
        config = inbound_proxy.write_config(
            workdir / "proxy", "127.0.0.1", proxy_port, sorted(listening), ["127.0.0.1"], proxy
        )
        specs.append(inbound_proxy.proxy_spec(config, str(workdir / "proxy.log")))
        listening.add(proxy_port)
        targets = [(proxy_port, processes)]
    total = round(rate * seconds)
    with connect(services.database_url) as conn:
        campaign_id, did = _setup(conn, max_wait)
        media.prepare(runtime.settings.data_dir, inbound_store.all_routes(conn))
        floor = RobotFloor(conn, campaign_id, agents, workdir, robot_args)
        supervisor = Supervisor([*specs, *floor.dashboard], stop_timeout_s=60)
        robots = Supervisor(floor.robots, stop_timeout_s=60)
        supervisor.start()
        robots.start()
        callers: list[SippCarrier] = []
        try:
            _wait_bound(supervisor, listening)
            floor.wait_ready(services.redis_url)
            load_before = os.getloadavg()
            started = time.monotonic()
            weight = sum(w for _, w in targets)
            for index, (target, w) in enumerate(targets):
                share = total * w // weight + (1 if index < total * w % weight else 0)
                if not share:
                    continue
                callers.append(
                    SippCarrier(
                        Scenario.UAC_CALLER_WAITS,
                        workdir,
                        remote=f"127.0.0.1:{target}",
                        calls=share,
                        extra_args=(
                            "-s", did, "-key", "caller", CALLER,
                            # share calls spread evenly over the run
                            "-r", str(share), "-rp", str(int(seconds * 1000)),
                            "-l", "2000", "-max_socket", "4000",
                        ),
                    ).start()
                )  # fmt: skip
            peak_load = 0.0
            deadline = started + seconds + max_wait + 20 * float(robot_args[1]) + 60
            while any(c.running() for c in callers) and time.monotonic() < deadline:
                supervisor.poll()
                robots.poll()
                peak_load = max(peak_load, os.getloadavg()[0])
                time.sleep(0.5)
            elapsed = time.monotonic() - started
            _wait_stored(conn, did, timeout=60)
        finally:
            for caller in callers:
                caller.stop(settle=0.5)
            robots.stop()
            supervisor.stop()
        return _report(conn, did, callers, rate, seconds, calls, agents, elapsed) | {
            "load_average_before": round(load_before[0], 2),
            "load_average_peak": round(peak_load, 2),
            "cpus": os.cpu_count(),
        }


def _wait_bound(supervisor: Supervisor, ports: set[int], timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while True:
        bound: set[int] = set()
        for child in supervisor.children:
            if child.process is None:
                continue
            try:
                sockets = psutil.Process(child.process.pid).net_connections(kind="udp")
            except psutil.Error:
                continue
            bound |= {s.laddr.port for s in sockets if s.laddr}
        if ports <= bound:
            return
        if time.monotonic() > deadline:
            raise TimeoutError(f"inbound processes not listening on {sorted(ports - bound)}")
        supervisor.poll()
        time.sleep(0.3)


def _wait_stored(conn: Connection, did: str, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        row = conn.execute(_SPAN, {"did": did}).fetchone()
        if row is not None and not row[2]:
            return
        time.sleep(0.5)


def _report(
    conn: Connection,
    did: str,
    callers: list[SippCarrier],
    rate: float,
    seconds: float,
    calls: int,
    agents: int,
    elapsed: float,
) -> dict[str, Any]:
    params = {"did": did}
    accounting = _accounting(conn, did, callers)
    answered_elsewhere = sum(accounting["not_stored_but_answered_by_sip"].values())
    stats = [c.stats() for c in callers]
    created = sum(s.calls_created for s in stats if s)
    successful = sum(s.successful for s in stats if s)
    failed = sum(s.failed for s in stats if s)
    per_outcome = conn.execute(_OUTCOMES, params).fetchall()
    outcomes = {str(k): int(v) for k, v, _ in per_outcome}
    stored = sum(outcomes.values())
    rows_stored = sum(int(r) for _, _, r in per_outcome)
    span = conn.execute(_SPAN, params).fetchone()
    waits = conn.execute(_WAITS, params).fetchone()
    overlaps = conn.execute(_OVERLAPS, params).fetchone()
    assert span is not None and waits is not None and overlaps is not None
    first, last, open_calls = span
    offered_span = (last - first).total_seconds() if first and last else 0.0
    return {
        "bench": "inbound",
        "target_calls_per_second": rate,
        "target_seconds": seconds,
        "inbound_processes": -(-calls // 2),
        "robot_agents": agents,
        "sipp_calls_created": created,
        "sipp_successful": successful,
        "sipp_failed": failed,
        "stored_calls": stored,
        "stored_rows": rows_stored,
        "stored_without_outcome": int(open_calls or 0),
        # Calls sipp made that we neither stored nor answered with a final status: lost.
        "unaccounted": created - stored - answered_elsewhere,
        **accounting,
        "outcomes": outcomes,
        "achieved_calls_per_second": round(stored / offered_span, 2) if offered_span else None,
        "offered_span_s": round(offered_span, 1),
        "elapsed_s": round(elapsed, 1),
        "answered_wait_s": {
            "count": int(waits[0]),
            "p50": _round(waits[1]),
            "p99": _round(waits[2]),
            "max": _round(waits[3]),
        },
        "agent_double_booked": int(overlaps[0]),
    }


def finals_received(caller: SippCarrier) -> dict[str, int]:
    """The final response each call of a sipp caller got, by Call-ID (from its message log)."""
    if not caller.message_log.exists():
        return {}
    finals: dict[str, int] = {}
    text = caller.message_log.read_text(errors="replace")
    for block in text.split("message received")[1:]:
        message = block.split(":", 1)[1].lstrip("\r\n") if ":" in block else ""
        message = message.split("\n-----", 1)[0]
        if not message.startswith("SIP/2.0 "):
            continue
        head = {
            name.strip().lower(): value.strip()
            for name, _, value in (line.partition(":") for line in message.splitlines()[1:])
        }
        if "INVITE" in head.get("cseq", "") and int(message[8:11]) >= 200:
            finals.setdefault(head.get("call-id", ""), int(message[8:11]))
    return finals


def _accounting(conn: Connection, did: str, callers: list[SippCarrier]) -> dict[str, Any]:
    """Every call sipp made: stored by us, or at least answered with a final status."""
    finals: dict[str, int] = {}
    for caller in callers:
        finals |= finals_received(caller)
    stored = {
        str(row[0])
        for row in conn.execute(
            "SELECT sip_call_id FROM inbound_calls WHERE did = %s", (did,)
        ).fetchall()
    }
    not_stored = {call_id: status for call_id, status in finals.items() if call_id not in stored}
    by_status: dict[str, int] = {}
    for status in not_stored.values():
        by_status[str(status)] = by_status.get(str(status), 0) + 1
    return {
        "sipp_final_responses": len(finals),
        "not_stored_but_answered_by_sip": by_status,
    }


def _round(value: object) -> float | None:
    return round(float(value), 3) if isinstance(value, int | float | Decimal) else None
