"""The rollups follow late updates and deletions, and always equal a rebuild from the raw rows."""

from __future__ import annotations

import random
from datetime import date, timedelta

from campaigns.report_filter import ReportFilter
from campaigns.storage.reports.outcomes import outcome_breakdown
from tests.integration.report_data import (
    Conn,
    agent,
    at,
    attempt,
    campaign,
    contact,
    contact_list,
    inbound,
    queue,
    state,
)
from tests.integration.rollup_snapshot import ROLLUPS, _same, _snapshot


def _day(text: str) -> ReportFilter:
    day = date.fromisoformat(text)
    return ReportFilter((), day, day)


def test_an_attempt_counts_once_it_ends_and_moves_with_its_disposition(db: Conn) -> None:
    c = campaign(db, "Late")
    attempt_id = attempt(db, c, at("2026-11-02 10:00"), None)  # queued: no outcome yet
    db.commit()
    assert outcome_breakdown(db, _day("2026-11-02")) == []

    db.execute(
        "UPDATE call_attempts SET state = 'ended', outcome = 'connected' WHERE id = %s",
        (attempt_id,),
    )
    db.commit()
    assert [
        (r.outcome, r.disposition, r.attempts) for r in outcome_breakdown(db, _day("2026-11-02"))
    ] == [("connected", "", 1)]

    # The disposition arrives hours later: the count moves, it is not added twice.
    db.execute("UPDATE call_attempts SET disposition = 'sale' WHERE id = %s", (attempt_id,))
    db.commit()
    rows = outcome_breakdown(db, _day("2026-11-02"))
    assert [(r.outcome, r.disposition, r.disposition_label, r.attempts) for r in rows] == [
        ("connected", "sale", "Sale", 1)
    ]

    db.execute("DELETE FROM call_attempts WHERE id = %s", (attempt_id,))
    db.commit()
    assert outcome_breakdown(db, _day("2026-11-02")) == []


def test_incremental_rollups_equal_a_rebuild_after_random_changes(db: Conn) -> None:
    rng = random.Random(3)
    campaigns = [
        campaign(db, "C0", tz="America/Los_Angeles"),
        campaign(db, "C1", tz="Asia/Kolkata"),
    ]
    agents = [agent(db, f"agent{i}") for i in range(6)]
    open_agents: set[int] = set()
    queues = [queue(db, campaigns[0], "Q"), queue(db, None, "Unassigned")]
    lists = [contact_list(db, c, "L") for c in campaigns]
    start = at("2026-11-02 08:00")
    outcomes = ["connected", "abandoned", "machine", "busy", "no_answer", None]
    attempt_ids, state_ids, inbound_ids, contact_ids = [], [], [], []
    for i in range(120):
        moment = start + timedelta(minutes=rng.randint(0, 600), seconds=rng.random())
        attempt_ids.append(
            attempt(
                db,
                rng.choice(campaigns),
                moment,
                rng.choice(outcomes),
                amd=rng.choice([None, "machine", "human"]),
                disposition=rng.choice([None, "sale", "not_interested", "answering_machine"]),
            )
        )
        who = rng.choice(agents)
        # An agent has at most one open state (a unique index): open rows only for new agents.
        length = rng.choice([None, 5.0, 1800.0, 7300.5]) if who not in open_agents else 60.0
        if length is None:
            open_agents.add(who)
        state_ids.append(
            state(
                db,
                who,
                rng.choice([*campaigns, None]),
                rng.choice(["ready", "on_call", "wrap_up", "paused", "reserved"]),
                moment,
                length,
                rng.choice([None, "lunch"]),
                worked=rng.choice([(), tuple(campaigns)]),
            )
        )
        inbound_ids.append(
            inbound(
                db,
                rng.choice(queues),
                moment,
                rng.choice(["answered", "abandoned", "voicemail", "rejected"]),
                rng.uniform(0, 400),
                rng.uniform(0, 300),
            )
        )
        contact_ids.append(
            contact(
                db,
                campaigns[i % 2],
                lists[i % 2],
                f"+1202555{i:04d}",
                rng.choice(["dialable", "done"]),
                rng.randint(0, 3),
            )
        )
    db.commit()
    for _ in range(80):  # late updates, several rows per statement, and deletions
        some = rng.sample(attempt_ids, 5)
        db.execute(
            "UPDATE call_attempts SET state = 'ended', outcome = %s, disposition = %s,"
            " queued_at = queued_at + interval '50 minutes' WHERE id = ANY(%s)",
            (rng.choice(outcomes[:-1]), rng.choice([None, "callback"]), some),
        )
        db.execute(
            "UPDATE agent_state_history SET ended_at = started_at + %s * interval '1 second'"
            " WHERE id = ANY(%s)",
            (rng.uniform(1, 5000), rng.sample(state_ids, 4)),
        )
        db.execute(
            "UPDATE inbound_calls SET outcome = 'answered', answered_at = offered_at"
            " + interval '7 seconds' WHERE id = %s",
            (rng.choice(inbound_ids),),
        )
        db.execute(
            "UPDATE contacts SET attempts = attempts + 1, state = %s WHERE id = ANY(%s)",
            (rng.choice(["in_flight", "dialable", "exhausted"]), rng.sample(contact_ids, 3)),
        )
    # A campaign moving to another zone recounts its day rows.
    db.execute("UPDATE campaigns SET timezone = 'Europe/Berlin' WHERE id = %s", (campaigns[0],))
    db.execute("DELETE FROM call_attempts WHERE id = ANY(%s)", (attempt_ids[:10],))
    db.execute("DELETE FROM agent_state_history WHERE id = ANY(%s)", (state_ids[:10],))
    db.execute("DELETE FROM inbound_calls WHERE id = ANY(%s)", (inbound_ids[:10],))
    db.execute("DELETE FROM contacts WHERE id = ANY(%s)", (contact_ids[:10],))
    db.commit()

    incremental = _snapshot(db)
    db.execute("SELECT report_rebuild_rollups()")
    rebuilt = _snapshot(db)

    assert all(incremental[table] for table in ROLLUPS)
    assert _same(incremental, rebuilt)
