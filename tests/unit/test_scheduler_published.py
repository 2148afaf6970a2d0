"""The pacing state the scheduler publishes for the wallboard, the CLI and the live bench."""

from __future__ import annotations

import json
from datetime import UTC, datetime

from dialer.pacing import PacingPolicy, decide
from dialer.scheduler.published import pacing_state
from tests.unit.pacing_fixtures import inputs

NOW = datetime(2026, 11, 27, 15, 0, tzinfo=UTC)


def test_a_decision_is_published_with_its_floor_as_plain_json() -> None:
    floor = inputs(ready=4, on_call=(30.0, 200.0), ringing=(1.0, 2.0, 3.0), free_lines=20)
    decision = decide(floor, PacingPolicy())
    state = pacing_state(decision, floor, 2, NOW, None)
    assert json.loads(json.dumps(state)) == state
    assert state["at"] == NOW.isoformat()
    assert (state["calls"], state["placed"]) == (decision.calls, 2)
    assert state["reason"] == decision.reason.value
    assert (state["ready_agents"], state["working_agents"]) == (4, 6)
    assert (state["calls_in_flight"], state["free_lines"]) == (3, 20)
    assert state["dial_level"] == 0.75


def test_no_dial_level_without_ready_agents() -> None:
    floor = inputs(ready=0, on_call=(1.0,))
    state = pacing_state(decide(floor, PacingPolicy()), floor, 0, NOW, None)
    assert state["dial_level"] is None
