"""The live pacing bench's data: a fresh demo-like campaign per run, and the rows it reads."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from campaigns.storage.db import Connection
from dialer.bench import live_pacing_rows
from dialer.demo.setup import CAMPAIGN, prepare, prepare_fresh
from dialer.softphone.provision import provision_robots

CARRIER = "sip:{number}@127.0.0.1:15999"
T0 = datetime(2026, 11, 27, 3, 0, tzinfo=UTC)


def _contacts(db: Connection, campaign_id: int) -> int:
    row = db.execute("SELECT count(*) FROM contacts WHERE campaign_id = %s", (campaign_id,))
    return int(row.fetchone()[0])  # type: ignore[index]


def test_each_fresh_run_gets_its_own_campaign_and_list_and_the_demo_keeps_its_own(
    db: Connection, database_url: str, tmp_path: Path
) -> None:
    demo = prepare(db, database_url, tmp_path, carrier_uri=CARRIER, numbers=60)
    first = prepare_fresh(db, database_url, tmp_path, name="Run 1", carrier_uri=CARRIER, numbers=60)
    second = prepare_fresh(
        db, database_url, tmp_path, name="Run 2", carrier_uri=CARRIER, numbers=60
    )
    again = prepare(db, database_url, tmp_path, carrier_uri=CARRIER, numbers=60)
    assert demo.campaign.name == again.campaign.name == CAMPAIGN
    assert again.campaign.id == demo.campaign.id and again.imported is None
    assert len({demo.campaign.id, first.campaign.id, second.campaign.id}) == 3
    assert first.campaign.spec.dial_mode == demo.campaign.spec.dial_mode
    assert first.imported and second.imported == first.imported
    assert _contacts(db, first.campaign.id) >= first.imported
    assert _contacts(db, second.campaign.id) == _contacts(db, first.campaign.id)


def test_reads_the_runs_attempts_and_its_agents_state_intervals(
    db: Connection, database_url: str, tmp_path: Path
) -> None:
    run = prepare_fresh(db, database_url, tmp_path, name="Run", carrier_uri=CARRIER, numbers=60)
    campaign_id = run.campaign.id
    robots = provision_robots(db, 2, (campaign_id,), prefix=f"pacing-{campaign_id}-robot")
    insert = """
        INSERT INTO call_attempts (campaign_id, called_number, caller_id, state, outcome,
                                   queued_at, dial_at, answer_at, hangup_at, pacing_risk)
        VALUES (%s, '+12025550123', '+12025550100', 'ended', %s, %s, %s, %s, %s, %s)"""
    for offset, outcome in ((-5, "connected"), (10, "abandoned"), (400, "connected")):
        at = T0 + timedelta(seconds=offset)
        db.execute(insert, (campaign_id, outcome, at, at, at + timedelta(seconds=5), at, 0.03))
    db.execute(
        """INSERT INTO call_attempts (campaign_id, called_number, caller_id, state, outcome,
                                      queued_at, dial_at, answer_at, hangup_at, disposition)
           VALUES (%s, '+12025550124', '+12025550100', 'ended', 'connected', %s, %s, %s, %s,
                   'answering_machine')""",
        (campaign_id, *[T0 + timedelta(seconds=20)] * 3, T0 + timedelta(seconds=40)),
    )
    history = """
        INSERT INTO agent_state_history (agent_id, campaign_id, state, started_at, ended_at)
        VALUES (%s, %s, %s, %s, %s)"""
    agent = robots[0].agent_id
    db.execute(history, (agent, campaign_id, "ready", T0 - timedelta(hours=1), T0))
    db.execute(history, (agent, campaign_id, "on_call", T0, None))
    end = T0 + timedelta(seconds=300)
    attempts = live_pacing_rows.attempts(db, campaign_id, T0, end)
    assert [a.outcome for a in attempts] == ["abandoned", "connected"]
    assert attempts[0].live and attempts[0].abandoned
    assert attempts[1].agent_heard_machine and not attempts[1].live  # "Answering machine"
    assert attempts[0].pacing_risk == pytest.approx(0.03)
    ids = live_pacing_rows.campaign_agent_ids(db, campaign_id)
    assert ids == sorted(r.agent_id for r in robots)
    intervals = live_pacing_rows.state_intervals(db, ids, T0, end)
    assert [(i.state, i.ended_at) for i in intervals] == [("on_call", None)]
    assert live_pacing_rows.other_running_campaigns(db, campaign_id) == []
