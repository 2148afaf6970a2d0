"""The bench's synthetic history is consistent: what the reports see agrees with the raw rows."""

from __future__ import annotations

from datetime import UTC, datetime

from dialer.bench.history import HistorySpec, generate_history
from tests.integration.report_data import Conn
from tests.integration.rollup_snapshot import ROLLUPS, _same, _snapshot

SPEC = HistorySpec(
    attempts=6000, days=4, campaigns=2, end=datetime(2026, 11, 5, tzinfo=UTC), seed=11
)


def test_a_small_history_is_internally_consistent(db: Conn) -> None:
    summary = generate_history(db, SPEC)

    def one(query: str) -> object:
        row = db.execute(query).fetchone()
        assert row is not None
        return row[0]

    assert summary.attempts == one("SELECT count(*) FROM call_attempts") == 6000
    # Every connected attempt has an agent, and that agent's on-call interval names it.
    assert (
        one(
            "SELECT count(*) FROM call_attempts a WHERE a.outcome = 'connected' AND NOT EXISTS ("
            " SELECT 1 FROM agent_state_history s WHERE s.attempt_id = a.id"
            " AND s.agent_id = a.agent_id AND s.state = 'on_call')"
        )
        == 0
    )
    # Only connected attempts have agents; no attempt is left open.
    assert (
        one("SELECT count(*) FROM call_attempts WHERE (agent_id IS NULL) = (outcome = 'connected')")
        == 0
    )
    assert one("SELECT count(*) FROM call_attempts WHERE state <> 'ended'") == 0
    # Contacts count the attempts that placed a call.
    assert (
        one(
            "SELECT count(*) FROM contacts c WHERE c.attempts <> (SELECT count(*)"
            " FROM call_attempts a WHERE a.contact_id = c.id AND a.outcome <> 'expired')"
        )
        == 0
    )
    # Nothing happens after the end of the history.
    assert one("SELECT count(*) FROM call_attempts WHERE hangup_at >= '2026-11-05'") == 0
    # The rollups the triggers filled during COPY equal a rebuild from the raw rows.
    incremental = _snapshot(db)
    db.execute("SELECT report_rebuild_rollups()")
    assert all(incremental[table] for table in ROLLUPS)
    assert _same(_snapshot(db), incremental)
