"""Robot agents for demos and benchmarks: agents robot-1..N that work the given campaigns, each
with a softphone URI on a free port of this host and a fresh API token.

Idempotent: an existing robot agent is updated (new port, these campaigns), never duplicated;
only its new token is returned (tokens are stored as digests, the secret is shown once).
"""

from __future__ import annotations

import json
import math
import sys
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from campaigns import passwords
from campaigns.agents import Agent, AgentSpec, validate_agent
from campaigns.errors import NotFound
from campaigns.storage import agent_store, user_store
from campaigns.storage.db import Connection
from dialer.softphone.robot_team import MAX_ROBOTS_PER_PROCESS
from dialer.supervisor import ChildSpec
from dialer.telephony.endpoint_config import RTP_PORT_BLOCK
from dialer.telephony.ports import ROBOT_LINE_RANGE, free_udp_port

# No password: robots use their tokens; the dashboard login stays locked.
LOCKED = "!"


@dataclass(frozen=True)
class RobotAgent:
    agent_id: int
    username: str
    sip_uri: str
    port: int
    token: str


def provision_robots(
    conn: Connection,
    count: int,
    campaign_ids: tuple[int, ...],
    *,
    prefix: str = "robot",
    address: str = "127.0.0.1",
) -> list[RobotAgent]:
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S.%f")
    made = []
    for number in range(1, count + 1):
        username = f"{prefix}-{number}"
        port = free_udp_port(*ROBOT_LINE_RANGE, address=address)
        spec = validate_agent(
            AgentSpec(sip_uri=f"sip:{username}@{address}:{port}", campaign_ids=campaign_ids)
        )
        agent = _existing(conn, username)
        if agent is None:
            agent = agent_store.insert_agent(conn, username, f"Robot {number}", LOCKED, spec)
        else:
            agent = agent_store.update_agent(conn, agent.id, agent.display_name, False, spec)
        secret = passwords.new_api_token()
        digest = passwords.token_digest(secret)
        user_store.insert_token(conn, agent.user_id, f"robot softphone {stamp}", digest)
        made.append(RobotAgent(agent.id, username, spec.sip_uri, port, secret))
    return made


def _existing(conn: Connection, username: str) -> Agent | None:
    try:
        user = user_store.find_user(conn, username)
    except NotFound:
        return None
    return agent_store.agent_for_user(conn, user.id)


def robot_call_grace_s(talk_mean_s: float) -> float:
    """How long a stopping robot waits for the call it is on: talk times drawn with a CV of 0.6
    rarely run past 3 x the mean."""
    return talk_mean_s * 3 + 10


def robots_stop_timeout_s(talk_mean_s: float) -> float:
    """The supervisor's deadline for a robot process: the call's grace, then the disposition,
    the log-out and the exit."""
    return robot_call_grace_s(talk_mean_s) + 20


def teams(robots: list[RobotAgent]) -> list[list[RobotAgent]]:
    """Robots grouped by process: at most 4 per process (one call each), as even as can be."""
    if not robots:
        return []
    processes = math.ceil(len(robots) / MAX_ROBOTS_PER_PROCESS)
    size = math.ceil(len(robots) / processes)
    return [robots[i : i + size] for i in range(0, len(robots), size)]


def robot_children(
    robots: list[RobotAgent],
    workdir: Path,
    api_url: str,
    robot_args: list[str],
    rtp_ports: tuple[int, int] = (20000, 60000),
) -> list[ChildSpec]:
    """One `dialer softphone --robot --team FILE` process per team; the files hold the tokens
    (mode 0600) and stay as long as the parent, which may restart a child."""
    workdir.mkdir(parents=True, exist_ok=True)
    children, first = [], 0
    for number, team in enumerate(teams(robots)):
        team_file = workdir / f"robot-team-{number}.json"
        team_file.touch(mode=0o600)
        members = [{"token": r.token, "port": r.port, "user": r.username} for r in team]
        team_file.write_text(json.dumps(members))
        # An RTP range of its own, picked by the parent that also picks the workers' ranges
        # (the bench), so they never overlap; left to the OS, it could land in one of them.
        rtp = free_udp_port(block=RTP_PORT_BLOCK, low=rtp_ports[0], high=rtp_ports[1])
        argv = [
            sys.executable, "-m", "dialer", "softphone", "--robot",
            "--team", str(team_file), "--api-url", api_url, "--first-index", str(first),
            "--rtp-port", str(rtp), *robot_args,
        ]  # fmt: skip
        log_path = str(workdir / f"robots-{number}.log")
        children.append(ChildSpec(f"robots-{number}", argv, log_path=log_path))
        first += len(team)
    return children
