"""`dialer bench calls --agents K` as a short run: real workers, robot agents and their API.

The proof that no agent is ever double-booked under load is read from the stored attempts, not
from the bench's own figure: no two calls of one agent overlap in [agent_connect_at, hangup_at].
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from campaigns.storage.db import Connection

pytestmark = pytest.mark.sip

ROOT = Path(__file__).resolve().parents[2]

OVERLAPPING_CALLS = """
SELECT a.agent_id, a.id, b.id FROM call_attempts a
JOIN call_attempts b ON a.agent_id = b.agent_id AND a.id < b.id
WHERE a.agent_connect_at IS NOT NULL AND b.agent_connect_at IS NOT NULL
  AND a.agent_connect_at < b.hangup_at AND b.agent_connect_at < a.hangup_at
"""


def test_a_bench_run_with_robot_agents_never_gives_an_agent_two_calls_at_once(
    db: Connection, service_env: dict[str, str], tmp_path: Path
) -> None:
    out = tmp_path / "bench.json"
    done = subprocess.run(
        [sys.executable, "-m", "dialer", "bench", "calls", "--lines", "4", "--agents", "3",
         "--seconds", "20", "--talk-mean", "3", "--output", str(out), "--json"],
        cwd=ROOT, env={**os.environ, **service_env, "PYTHONPATH": str(ROOT)},
        capture_output=True, text=True, timeout=400, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-3000:]
    report = json.loads(out.read_text())
    assert report["errors"] == 0 and report["misclassified"] == 0
    assert report["connected_to_agent"] > 0, report
    assert report["answer_to_agent_ms"]["p99"] is not None
    assert report["double_booked"] == 0
    assert db.execute(OVERLAPPING_CALLS).fetchall() == []
    connected = db.execute(
        "SELECT count(*) FROM call_attempts WHERE outcome = 'connected' AND agent_id IS NOT NULL"
    ).fetchone()
    assert connected is not None and connected[0] == report["connected_to_agent"]
