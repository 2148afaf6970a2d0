"""A robot taking its agent's desk: a fresh start logs in; a restart carries on the session."""

from __future__ import annotations

from typing import Any

import pytest

from dialer.softphone.desk import AgentDesk, AgentStatus
from dialer.softphone.robot_team import take_the_desk


class _RecordingDesk(AgentDesk):
    """The agent API as the robot sees it, recording the requests instead of sending them."""

    def __init__(self) -> None:
        super().__init__("http://127.0.0.1:1", "token")
        self.requests: list[str] = []

    def _call(self, method: str, path: str, body: dict[str, Any] | None = None) -> dict[str, Any]:
        self.requests.append(f"{method} {path}")
        return {"agent": {"id": 1}, "state": "ready"}


def _status(state: str) -> AgentStatus:
    return AgentStatus(1, "robot-1", "sip:robot-1@127.0.0.1", state, None, None, (), ())


@pytest.mark.parametrize(
    ("state", "requests"),
    [
        ("logged_out", ["POST /api/v1/agent/login", "POST /api/v1/agent/ready"]),
        # the robot's earlier process died: its agent is still logged in (a login would be 409)
        ("paused", ["POST /api/v1/agent/ready"]),
        ("ready", []),
        ("on_call", []),
        ("wrap_up", []),
    ],
)
def test_a_robot_logs_in_or_carries_on_its_agents_session(state: str, requests: list[str]) -> None:
    desk = _RecordingDesk()
    take_the_desk(desk, _status(state), ())
    assert desk.requests == requests
