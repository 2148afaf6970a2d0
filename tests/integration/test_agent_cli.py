"""`dialer agent` against a real PostgreSQL and Redis."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from campaigns.attempt import Outcome
from campaigns.storage import agent_store, attempt_store, campaign_store, inbound_store
from campaigns.storage.attempt_store import AttemptResult
from campaigns.storage.db import Connection
from campaigns.storage.inbound_store import InboundOutcome
from dialer.agents.service import AgentService, OneConnection
from dialer.bootstrap import redis_client
from tests.agent_factories import make_pause_codes
from tests.cli_runner import run_cli, run_dialer
from tests.factories import make_contacts

pytestmark = pytest.mark.usefixtures("service_env")

CALLER_ID = "+12025550100"


@pytest.fixture
def demo(db: Connection, capsys: pytest.CaptureFixture[str]) -> Connection:
    make_pause_codes(db, "break")
    assert run_cli(capsys, "campaign", "create", "Demo", "--caller-id", CALLER_ID).code == 0
    made = run_cli(
        capsys, "agent", "create", "alice", "--sip-uri", "sip:alice@127.0.0.1:5099",
        "--campaign", "Demo", "--json",
    )  # fmt: skip
    assert made.code == 0, made.err
    assert made.json()["login"] == "locked until a password is set"
    return db


def test_an_agent_logs_in_goes_ready_pauses_and_logs_out(
    demo: Connection, capsys: pytest.CaptureFixture[str]
) -> None:
    login = run_cli(capsys, "agent", "login", "alice", "--json")
    assert login.code == 0, login.err
    assert (login.json()["state"], login.json()["reason"]) == ("paused", "login")
    assert run_cli(capsys, "agent", "ready", "alice", "--json").json()["state"] == "ready"
    [live] = run_cli(capsys, "agent", "state", "--json").json()
    assert (live["username"], live["state"]) == ("alice", "ready")
    paused = run_cli(capsys, "agent", "pause", "alice", "--reason", "break", "--json").json()
    assert (paused["state"], paused["reason"]) == ("paused", "break")
    [listed] = run_cli(capsys, "agent", "list", "--json").json()
    assert (listed["campaigns"], listed["state"]) == (["Demo"], "paused")
    assert run_cli(capsys, "agent", "logout", "alice", "--json").json()["state"] == "logged_out"
    assert run_cli(capsys, "agent", "state", "--json").json() == []


def test_mistakes_get_one_clear_line(demo: Connection, capsys: pytest.CaptureFixture[str]) -> None:
    unknown = run_cli(capsys, "agent", "login", "bob")
    assert (unknown.code, unknown.err.strip()) == (1, "error: no user named 'bob'")
    assert run_cli(capsys, "agent", "login", "alice").code == 0
    bad_reason = run_cli(capsys, "agent", "pause", "alice", "--reason", "nap")
    assert bad_reason.code == 1
    assert "'nap' is not a pause code" in bad_reason.err
    again = run_cli(capsys, "agent", "login", "alice")
    assert again.code == 1
    assert "already logged in" in again.err


def test_a_disposition_from_the_command_line_schedules_a_callback(
    demo: Connection, redis_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    db = demo
    run_cli(capsys, "agent", "login", "alice")
    run_cli(capsys, "agent", "ready", "alice")
    campaign = campaign_store.find_campaign(db, "Demo")
    agent_id = agent_store.list_agents(db)[0].id
    [contact] = make_contacts(db, campaign, ["+12125550123"])
    now = datetime.now(UTC)
    [attempt] = attempt_store.create_attempts(
        db, campaign.id, [contact], now=now, expires_at=now + timedelta(minutes=1)
    )
    # The worker's side: claim, connect, hang up, close the attempt.
    agents = AgentService(redis_client(redis_url), OneConnection(db))
    assert agents.claim(campaign.id, attempt, now) is not None
    agents.connected(agent_id, attempt, now)
    agents.ended(agent_id, attempt, now)
    attempt_store.finish_attempt(
        db, attempt, AttemptResult(Outcome.CONNECTED, agent_id=agent_id), now
    )
    # 17:00 UTC tomorrow: midday in New York, inside the calling hours whatever the season.
    callback = (now + timedelta(days=1)).replace(hour=17, minute=0, second=0, microsecond=0)
    done = run_cli(
        capsys, "agent", "disposition", "alice", str(attempt), "callback",
        "--callback-at", callback.isoformat(), "--for-me", "--json",
    )  # fmt: skip
    assert done.code == 0, done.err
    assert (done.json()["contact_state"], done.json()["next_eligible_at"]) == (
        "callback",
        callback.isoformat(),
    )
    assert done.json()["agent_state"] == "ready"


def test_an_inbound_call_is_dispositioned_from_the_command_line(
    demo: Connection, redis_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    db = demo
    run_cli(capsys, "agent", "login", "alice")
    run_cli(capsys, "agent", "ready", "alice")
    campaign = campaign_store.find_campaign(db, "Demo")
    agent_id = agent_store.list_agents(db)[0].id
    queue = inbound_store.add_queue(db, "Help line", campaign.id, ["+18005550100"])
    now = datetime.now(UTC)
    call, _ = inbound_store.offer_call(
        db, queue_id=queue, did="+18005550100", caller="+12125550123", campaign_id=campaign.id,
        sip_call_id="cli", worker="w", at=now,
    )  # fmt: skip
    # The inbound process's side: claim, connect, store the outcome, wrap-up.
    agents = AgentService(redis_client(redis_url), OneConnection(db))
    assert agents.claim(campaign.id, -call, now) is not None
    agents.connected(agent_id, -call, now)
    inbound_store.record_answered(db, call, agent_id, now)
    inbound_store.finish_call(db, call, InboundOutcome.ANSWERED, now)
    agents.ended(agent_id, -call, now)
    done = run_cli(
        capsys, "agent", "disposition", "alice", str(call), "sale", "--inbound", "--json"
    )
    assert done.code == 0, done.err
    assert (done.json()["inbound_call_id"], done.json()["agent_state"]) == (call, "ready")
    stored = db.execute("SELECT disposition FROM inbound_calls WHERE id = %s", (call,))
    assert stored.fetchone() == ("sale",)


def test_the_installed_command_shows_the_live_state(demo: Connection) -> None:
    assert run_dialer("agent", "login", "alice").code == 0
    shown = run_dialer("agent", "state")
    assert shown.code == 0, shown.err
    assert "alice" in shown.out and "paused" in shown.out
