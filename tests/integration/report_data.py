"""Hand-made rows for the report tests: each helper inserts one thing with plain SQL."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import psycopg
from psycopg.types.json import Jsonb

from campaigns.storage.campaign_store import DEFAULT_DISPOSITIONS

Conn = psycopg.Connection[tuple[Any, ...]]


def at(text: str) -> datetime:
    """'2026-11-02 03:00' as an aware UTC instant."""
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def campaign(
    db: Conn, name: str, rule_set: str = "US", tz: str = "UTC", target: float = 0.025
) -> int:
    row = db.execute(
        """INSERT INTO campaigns (name, caller_id, rule_set, timezone, abandon_target,
               calling_hours, retry_policy)
           VALUES (%s, '+12025550100', %s, %s, %s, %s, %s) RETURNING id""",
        (name, rule_set, tz, target, Jsonb({"weekday": ["08:00", "21:00"]}), Jsonb({})),
    ).fetchone()
    assert row is not None
    for position, (code, label, action, human) in enumerate(DEFAULT_DISPOSITIONS):
        db.execute(
            "INSERT INTO dispositions (campaign_id, code, label, action, human, position)"
            " VALUES (%s, %s, %s, %s, %s, %s)",
            (row[0], code, label, action, human, position),
        )
    return int(row[0])


def attempt(
    db: Conn,
    campaign_id: int,
    queued: datetime,
    outcome: str | None,
    *,
    amd: str | None = None,
    disposition: str | None = None,
    agent_id: int | None = None,
    answered_after_s: float | None = None,
) -> int:
    dial = queued + timedelta(seconds=1)
    answer = dial + timedelta(seconds=answered_after_s) if answered_after_s is not None else None
    row = db.execute(
        """INSERT INTO call_attempts (campaign_id, called_number, caller_id, state, outcome,
               queued_at, dial_at, answer_at, amd_result, disposition, agent_id)
           VALUES (%s, '+12025550199', '+12025550100', %s, %s, %s, %s, %s, %s, %s, %s)
           RETURNING id""",
        (
            campaign_id,
            "ended" if outcome else "queued",
            outcome,
            queued,
            dial if outcome != "expired" else None,
            answer,
            amd,
            disposition,
            agent_id,
        ),
    ).fetchone()
    assert row is not None
    return int(row[0])


def attempts(db: Conn, campaign_id: int, queued: datetime, outcome: str, count: int) -> None:
    for _ in range(count):
        attempt(db, campaign_id, queued, outcome)


def agent(db: Conn, username: str) -> int:
    user = db.execute(
        "INSERT INTO users (username, display_name, role, password_hash)"
        " VALUES (%s, %s, 'agent', '!') RETURNING id",
        (username, username.title()),
    ).fetchone()
    assert user is not None
    row = db.execute(
        "INSERT INTO agents (user_id, sip_uri) VALUES (%s, %s) RETURNING id",
        (user[0], f"sip:{username}@agents.invalid"),
    ).fetchone()
    assert row is not None
    return int(row[0])


def state(
    db: Conn,
    agent_id: int,
    campaign_id: int | None,
    name: str,
    start: datetime,
    seconds: float | None,
    reason: str | None = None,
    worked: tuple[int, ...] = (),
) -> int:
    """`worked`: every campaign the agent was working in (agent_state_history.campaigns)."""
    ended = start + timedelta(seconds=seconds) if seconds is not None else None
    row = db.execute(
        """INSERT INTO agent_state_history (agent_id, campaign_id, campaigns, state, reason,
               started_at, ended_at) VALUES (%s, %s, %s, %s, %s, %s, %s) RETURNING id""",
        (agent_id, campaign_id, list(worked), name, reason, start, ended),
    ).fetchone()
    assert row is not None
    return int(row[0])


def queue(db: Conn, campaign_id: int | None, name: str) -> int:
    row = db.execute(
        "INSERT INTO inbound_queues (name, campaign_id) VALUES (%s, %s) RETURNING id",
        (name, campaign_id),
    ).fetchone()
    assert row is not None
    return int(row[0])


def inbound(
    db: Conn,
    queue_id: int,
    offered: datetime,
    outcome: str,
    wait_s: float,
    talk_s: float = 0,
) -> int:
    answered = offered + timedelta(seconds=wait_s) if outcome == "answered" else None
    abandoned = offered + timedelta(seconds=wait_s) if outcome == "abandoned" else None
    ended = (answered or offered + timedelta(seconds=wait_s)) + timedelta(seconds=talk_s)
    row = db.execute(
        """INSERT INTO inbound_calls (queue_id, did, caller_number, offered_at, answered_at,
               abandoned_at, ended_at, outcome)
           VALUES (%s, '+18005550100', '+12025550111', %s, %s, %s, %s, %s) RETURNING id""",
        (queue_id, offered, answered, abandoned, ended, outcome),
    ).fetchone()
    assert row is not None
    return int(row[0])


def contact_list(db: Conn, campaign_id: int, name: str) -> int:
    row = db.execute(
        "INSERT INTO contact_lists (campaign_id, name, default_region) VALUES (%s, %s, 'US')"
        " RETURNING id",
        (campaign_id, name),
    ).fetchone()
    assert row is not None
    return int(row[0])


def contact(
    db: Conn, campaign_id: int, list_id: int, phone: str, state: str = "dialable", tries: int = 0
) -> int:
    row = db.execute(
        """INSERT INTO contacts (campaign_id, list_id, phone_e164, time_zones, state, attempts)
           VALUES (%s, %s, %s, '{UTC}', %s, %s) RETURNING id""",
        (campaign_id, list_id, phone, state, tries),
    ).fetchone()
    assert row is not None
    return int(row[0])
