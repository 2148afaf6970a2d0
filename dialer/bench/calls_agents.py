"""The agents of `dialer bench calls --agents K`: K robot agents on the bench campaign, the
dashboard whose API they use, and what the bench reports about them.

The robots are real `dialer softphone --robot` processes (4 per process) and the dashboard is
the real `dialer dashboard`: answer-to-agent time is measured through everything a production
hand-off goes through (claim script, agent INVITE, the robot's answer, the bridge).
"""

from __future__ import annotations

import socket
import time
import urllib.error
import urllib.request
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from campaigns.agents import AgentState
from campaigns.storage.db import Connection
from dialer.agents.service import AgentService, OneConnection
from dialer.bootstrap import redis_client
from dialer.dashboard_process import gunicorn_command
from dialer.softphone.provision import RobotAgent, provision_robots, robot_children
from dialer.supervisor import ChildSpec

ROBOT_PREFIX = "bench-robot"

# Two attempts whose agent times overlap: one agent talking on two calls at once.
OVERLAPS = """
SELECT count(*) FROM call_attempts a
JOIN call_attempts b ON a.agent_id = b.agent_id AND a.id < b.id
WHERE a.campaign_id = %(campaign)s AND b.campaign_id = %(campaign)s
  AND a.agent_connect_at IS NOT NULL AND b.agent_connect_at IS NOT NULL
  AND a.agent_connect_at < coalesce(b.hangup_at, 'infinity')
  AND b.agent_connect_at < coalesce(a.hangup_at, 'infinity')
"""

_ANSWER_TO_AGENT = """
SELECT count(*),
       percentile_cont(0.5) WITHIN GROUP (ORDER BY ms),
       percentile_cont(0.99) WITHIN GROUP (ORDER BY ms),
       max(ms)
FROM (SELECT extract(epoch FROM agent_connect_at - answer_at) * 1000 AS ms
      FROM call_attempts
      WHERE campaign_id = %(campaign)s AND agent_connect_at IS NOT NULL
        AND answer_at IS NOT NULL) t
"""

_DISPOSED = """
SELECT count(*) FILTER (WHERE disposition IS NOT NULL),
       count(*) FILTER (WHERE outcome = 'connected')
FROM call_attempts WHERE campaign_id = %(campaign)s
"""


def _free_tcp_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class RobotFloor:
    """K robot agents on the bench campaign and the dashboard they use (nothing when K is 0)."""

    def __init__(
        self,
        conn: Connection,
        campaign_id: int,
        agents: int,
        workdir: Path,
        robot_args: list[str],
    ) -> None:
        self.conn, self.campaign_id, self.agents = conn, campaign_id, agents
        self.dashboard: list[ChildSpec] = []
        self.robots: list[ChildSpec] = []
        self.members: list[RobotAgent] = []
        self.api_url = ""
        if not agents:
            return
        self.members = provision_robots(conn, agents, (campaign_id,), prefix=ROBOT_PREFIX)
        port = _free_tcp_port()
        self.api_url = f"http://127.0.0.1:{port}"
        command = gunicorn_command("127.0.0.1", port, workers=1, threads=16)
        self.dashboard = [ChildSpec("dashboard", command, log_path=str(workdir / "dashboard.log"))]
        self.robots = robot_children(self.members, workdir, self.api_url, robot_args)

    def wait_ready(self, redis_url: str, timeout: float = 90) -> None:
        """The API up, then every robot logged in and ready, before the first call."""
        if not self.agents:
            return
        _wait_for_api(self.api_url, timeout)
        service = AgentService(redis_client(redis_url), OneConnection(self.conn))
        deadline = time.monotonic() + timeout
        while True:
            service.ensure_built(datetime.now(UTC))
            waiting = [
                r for r in self.members if service.status(r.agent_id).state is not AgentState.READY
            ]
            if not waiting:
                return
            if time.monotonic() > deadline:
                names = ", ".join(r.username for r in waiting)
                raise TimeoutError(f"robots not ready after {timeout:.0f} s: {names}")
            time.sleep(0.2)

    def wait_dispositions(self, timeout: float) -> None:
        """Every call an agent talked on has its disposition (the robots' last API calls)."""
        deadline = time.monotonic() + timeout
        while self.agents and time.monotonic() < deadline:
            row = self.conn.execute(_DISPOSED, {"campaign": self.campaign_id}).fetchone()
            if row is not None and row[0] >= row[1]:
                return
            time.sleep(0.5)

    def report(self) -> dict[str, Any]:
        return agent_report(self.conn, self.campaign_id, self.agents) if self.agents else {}


def _wait_for_api(api_url: str, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(api_url + "/login", timeout=2):
                return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            time.sleep(0.3)
    raise TimeoutError(f"the dashboard at {api_url} did not answer within {timeout:.0f} s")


def agent_report(conn: Connection, campaign_id: int, agents: int) -> dict[str, Any]:
    params = {"campaign": campaign_id}
    row = conn.execute(_ANSWER_TO_AGENT, params).fetchone()
    assert row is not None
    count, p50, p99, worst = row
    overlaps = conn.execute(OVERLAPS, params).fetchone()
    disposed = conn.execute(_DISPOSED, params).fetchone()
    assert overlaps is not None and disposed is not None
    return {
        "agents": agents,
        "connected_to_agent": int(count),
        "answer_to_agent_ms": {
            "p50": _ms(p50),
            "p99": _ms(p99),
            "max": _ms(worst),
        },
        "double_booked": int(overlaps[0]),
        "dispositions_recorded": int(disposed[0]),
    }


def _ms(value: object) -> float | None:
    return round(float(value), 1) if isinstance(value, int | float | Decimal) else None
