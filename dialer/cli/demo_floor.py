"""The demo's processes under one supervisor: the simulated carrier (sipp), the workers, the
scheduler, the dashboard and the robot agents. Shared by `dialer demo` and
`dialer bench live-pacing`, so the benchmark measures exactly what the demo runs.
"""

from __future__ import annotations

import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import click

from dialer.cli.workers import worker_specs
from dialer.softphone.provision import RobotAgent, robot_children, robots_stop_timeout_s
from dialer.supervisor import ChildSpec, Supervisor
from dialer.telephony.endpoint_config import RTP_PORT_BLOCK
from dialer.telephony.ports import free_udp_port

# Workers' RTP ports start here; robots take theirs below it, so the two never meet.
WORKER_RTP_BASE = 40000


@dataclass(frozen=True)
class FloorOptions:
    carrier_port: int
    dashboard_host: str
    dashboard_port: int
    answer_rate: float
    talk_mean: float
    logs: Path

    @property
    def url(self) -> str:
        return f"http://{self.dashboard_host}:{self.dashboard_port}"


def lines_for(agents: int) -> int:
    """Worker lines for a team: two per agent and two spare, as the demo has always run."""
    return agents * 2 + 2


def dialer_argv(*args: str) -> list[str]:
    return [sys.executable, "-m", "dialer", *args]


def _wait_for_dashboard(url: str, supervisor: Supervisor, timeout: float = 90) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        supervisor.poll()
        try:
            with urllib.request.urlopen(f"{url}/healthz", timeout=2) as answer:
                if answer.status == 200:
                    return
        except (urllib.error.URLError, OSError):
            pass
        time.sleep(0.5)
    raise click.ClickException(f"the dashboard did not come up at {url}; see its log")


def start_floor(robots: list[RobotAgent], options: FloorOptions) -> Supervisor:
    """Start every process, wait for the dashboard, then the robots; the caller stops it."""
    logs = options.logs
    lines = lines_for(len(robots))
    worker_env = {
        "DIALER_SIP_PORT_BASE": str(free_udp_port(block=(lines + 1) // 2)),
        "DIALER_RTP_PORT_BASE": str(WORKER_RTP_BASE),
        "DIALER_RTP_PORTS_PER_PROCESS": str(RTP_PORT_BLOCK),
    }
    carrier = ChildSpec(
        "carrier",
        dialer_argv("carrier", "--scenario", "demo", "--answer-rate", str(options.answer_rate),
                    "--port", str(options.carrier_port)),
        log_path=str(logs / "carrier.log"),
    )  # fmt: skip
    workers = [
        ChildSpec(s.name, s.argv, {**s.env, **worker_env}, log_path=str(logs / f"{s.name}.log"))
        for s in worker_specs(lines)
    ]
    core = [
        carrier,
        *workers,
        ChildSpec("scheduler", dialer_argv("scheduler"), log_path=str(logs / "scheduler.log")),
        ChildSpec("dashboard", dialer_argv("dashboard", "--port", str(options.dashboard_port)),
                  log_path=str(logs / "dashboard.log")),
    ]  # fmt: skip
    supervisor = Supervisor(core, stop_timeout_s=45)
    supervisor.start()
    try:
        _wait_for_dashboard(options.url, supervisor)
        robot_args = [
            "--talk-mean", str(options.talk_mean), "--talk-cv", "0.6", "--wrap-seconds", "3",
        ]  # fmt: skip
        team = robot_children(
            robots, logs / "robots", options.url, robot_args, rtp_ports=(20000, WORKER_RTP_BASE - 1)
        )
        # Stopped before the core: each robot logs out, ends its call (the drawn talk time, the
        # robots' own grace) and records its disposition while the dashboard still answers.
        supervisor.add(team, stop_timeout_s=robots_stop_timeout_s(options.talk_mean))
    except BaseException:
        supervisor.stop()
        raise
    return supervisor


class _TimeUp(Exception):
    """The minutes asked for have passed."""


def run_for(
    supervisor: Supervisor,
    minutes: float,
    on_tick: Callable[[], None],
    on_time_up: Callable[[], None] | None = None,
) -> None:
    """Supervise until `minutes` pass (0: until a signal), calling `on_tick` on every poll and
    `on_time_up` once the time is up, while every process still runs. Stops the processes."""
    deadline = time.monotonic() + minutes * 60 if minutes else None

    def tick() -> None:
        on_tick()
        if deadline is not None and time.monotonic() >= deadline:
            if on_time_up is not None:
                on_time_up()
            raise _TimeUp

    try:
        supervisor.run_until_signalled(on_tick=tick)
    except _TimeUp:
        return
