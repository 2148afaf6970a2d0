"""Dispositions in real PostgreSQL and Redis: the attempt, the contact, the DNC list, the agent."""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import psycopg
import pytest

from campaigns.agents import Agent, AgentState
from campaigns.attempt import Outcome
from campaigns.campaign import Campaign
from campaigns.disposition_outcome import AttemptStillOpen, CallbackOutsideWindow, NotYourAttempt
from campaigns.errors import Conflict, ValidationError
from campaigns.storage import attempt_store
from campaigns.storage.attempt_store import AttemptResult
from campaigns.storage.db import Connection
from dialer.agents.dispositions import submit_disposition
from dialer.agents.service import AgentService
from tests.agent_factories import make_agent
from tests.agent_fixtures import agents
from tests.factories import make_campaign, make_contacts

__all__ = ["agents"]

# Thursday 26 November 2026, 15:00 UTC: 10:00 in New York, 07:00 in Los Angeles.
T0 = datetime(2026, 11, 26, 15, 0, tzinfo=UTC)
PHONE = "+12125550123"


def at(seconds: float) -> datetime:
    return T0 + timedelta(seconds=seconds)


@dataclass(frozen=True)
class Call:
    campaign: Campaign
    agent: Agent
    contact_id: int
    attempt_id: int


def talked_call(
    db: Connection,
    agents: AgentService,
    zones: list[str] | None = None,
    close: bool = True,
    username: str = "alice",
) -> Call:
    """A call answered, bridged to a ready agent and hung up: the agent is in wrap-up."""
    campaign = make_campaign(db, trunk_uri="sip:{number}@127.0.0.1:5999")
    agent = make_agent(db, username, [campaign])
    [contact] = make_contacts(db, campaign, [PHONE], time_zones=zones)
    [attempt] = attempt_store.create_attempts(
        db, campaign.id, [contact], now=at(0), expires_at=at(60)
    )
    attempt_store.begin_dialing(db, attempt, "worker-1", at(1))
    agents.login(agent.id, at(0))
    agents.ready(agent.id, at(0.5))
    assert agents.claim(campaign.id, attempt, at(10)) is not None
    agents.connected(agent.id, attempt, at(10.5))
    agents.ended(agent.id, attempt, at(100))
    if close:
        result = AttemptResult(Outcome.CONNECTED, sip_status=200, agent_id=agent.id)
        attempt_store.finish_attempt(db, attempt, result, at(100))
    return Call(campaign, agent, contact, attempt)


def row(db: Connection, query: str, *params: object) -> tuple[Any, ...] | None:
    return db.execute(query, params).fetchone()


def contact_of(db: Connection, call: Call) -> tuple[Any, ...] | None:
    return row(
        db,
        "SELECT state, CASE WHEN isfinite(next_eligible_at) THEN next_eligible_at END,"
        " callback_agent_id, block_reason FROM contacts WHERE id = %s",
        call.contact_id,
    )


def test_a_completed_call_closes_the_contact_and_the_agent_goes_ready(
    db: Connection, agents: AgentService
) -> None:
    call = talked_call(db, agents)
    done = submit_disposition(
        agents, call.attempt_id, call.agent.id, "sale", at(110), notes="two boxes"
    )
    assert done.agent.state is AgentState.READY
    assert row(
        db,
        "SELECT disposition, disposition_at, disposition_by, notes FROM call_attempts"
        " WHERE id = %s",
        call.attempt_id,
    ) == ("sale", at(110), call.agent.user_id, "two boxes")
    state, _, _, reason = contact_of(db, call) or ()
    assert (state, reason) == ("done", "disposition: sale")


def test_a_retry_makes_the_contact_dialable_after_the_policy_delay(
    db: Connection, agents: AgentService
) -> None:
    call = talked_call(db, agents)
    submit_disposition(agents, call.attempt_id, call.agent.id, "answering_machine", at(110))
    state, next_eligible, _, _ = contact_of(db, call) or ()
    assert (state, next_eligible) == ("dialable", at(110) + timedelta(hours=4))


def test_a_callback_for_me_is_scheduled_for_that_agent(
    db: Connection, agents: AgentService
) -> None:
    call = talked_call(db, agents)
    when = datetime(2026, 11, 27, 14, 0, tzinfo=UTC)  # 09:00 in New York
    submit_disposition(
        agents, call.attempt_id, call.agent.id, "callback", at(110),
        callback_at=when, callback_for_me=True,
    )  # fmt: skip
    assert (contact_of(db, call) or ())[:3] == ("callback", when, call.agent.id)


def test_a_callback_outside_the_calling_window_is_refused_and_changes_nothing(
    db: Connection, agents: AgentService
) -> None:
    call = talked_call(db, agents, zones=["America/New_York", "America/Los_Angeles"])
    before = contact_of(db, call)
    too_early = at(1800)  # 10:30 in New York, 07:30 in Los Angeles
    with pytest.raises(CallbackOutsideWindow, match="America/Los_Angeles") as refused:
        submit_disposition(
            agents, call.attempt_id, call.agent.id, "callback", at(110), callback_at=too_early
        )
    assert refused.value.earliest == datetime(2026, 11, 26, 16, 0, tzinfo=UTC)
    assert contact_of(db, call) == before
    assert row(db, "SELECT disposition FROM call_attempts WHERE id = %s", call.attempt_id) == (
        None,
    )
    assert agents.status(call.agent.id).state is AgentState.WRAP_UP  # still to disposition


def test_a_callback_can_be_moved_to_the_first_allowed_time(
    db: Connection, agents: AgentService
) -> None:
    call = talked_call(db, agents, zones=["America/New_York", "America/Los_Angeles"])
    done = submit_disposition(
        agents, call.attempt_id, call.agent.id, "callback", at(110),
        callback_at=at(1800), move_callback_into_window=True,
    )  # fmt: skip
    assert done.recorded.contact is not None
    assert done.recorded.contact.moved_from == at(1800)
    assert (contact_of(db, call) or ())[:2] == (
        "callback",
        datetime(2026, 11, 26, 16, 0, tzinfo=UTC),
    )


def test_do_not_call_lists_the_number_at_once_and_blocks_the_contact(
    db: Connection, agents: AgentService
) -> None:
    call = talked_call(db, agents)
    submit_disposition(agents, call.attempt_id, call.agent.id, "do_not_call", at(110))
    assert row(
        db,
        "SELECT campaign_id, source, added_by, added_at FROM dnc_entries WHERE phone_e164 = %s",
        PHONE,
    ) == (call.campaign.id, "agent disposition", call.agent.user_id, at(110))
    assert (contact_of(db, call) or ())[0] == "dnc"
    # Nothing the dialer does afterwards reopens it: a later outcome keeps it blocked.
    assert row(
        db,
        "SELECT count(*) FROM contacts WHERE id = %s AND state IN ('dialable', 'callback')",
        call.contact_id,
    ) == (0,)


def test_an_agent_can_only_disposition_their_own_calls(
    db: Connection, agents: AgentService
) -> None:
    call = talked_call(db, agents)
    bob = make_agent(db, "bob", [call.campaign])
    with pytest.raises(NotYourAttempt):
        submit_disposition(agents, call.attempt_id, bob.id, "sale", at(110))


def test_one_disposition_per_call(db: Connection, agents: AgentService) -> None:
    call = talked_call(db, agents)
    submit_disposition(agents, call.attempt_id, call.agent.id, "sale", at(110))
    with pytest.raises(Conflict, match="already has disposition"):
        submit_disposition(agents, call.attempt_id, call.agent.id, "not_interested", at(111))


def test_unknown_codes_are_refused_with_the_campaigns_list(
    db: Connection, agents: AgentService
) -> None:
    call = talked_call(db, agents)
    with pytest.raises(ValidationError, match=r"'sold' is not a disposition.*sale"):
        submit_disposition(agents, call.attempt_id, call.agent.id, "sold", at(110))


def test_a_call_still_being_closed_asks_to_submit_again(
    db: Connection, agents: AgentService
) -> None:
    call = talked_call(db, agents, close=False)
    with pytest.raises(AttemptStillOpen):
        submit_disposition(agents, call.attempt_id, call.agent.id, "sale", at(110))


def test_the_agent_may_pause_instead_of_going_ready(db: Connection, agents: AgentService) -> None:
    call = talked_call(db, agents)
    done = submit_disposition(
        agents, call.attempt_id, call.agent.id, "sale", at(110), pause_reason="lunch"
    )
    assert (done.agent.state, done.agent.reason) == (AgentState.PAUSED, "lunch")


def test_a_disposition_after_the_wrap_up_limit_is_still_recorded(
    db: Connection, agents: AgentService
) -> None:
    call = talked_call(db, agents)
    agents.tick(at(100 + call.campaign.spec.wrapup_limit_s))
    assert agents.status(call.agent.id).state is AgentState.READY
    done = submit_disposition(agents, call.attempt_id, call.agent.id, "sale", at(400))
    assert done.agent.state is AgentState.READY
    assert row(db, "SELECT disposition FROM call_attempts WHERE id = %s", call.attempt_id) == (
        "sale",
    )


def test_after_an_answered_transfer_the_agent_disposes_while_the_call_goes_on(
    db: Connection, agents: AgentService
) -> None:
    call = talked_call(db, agents, close=False)
    attempt_store.record_transfer(db, call.attempt_id, "+14155550199", at(50), "answered")
    when = datetime(2026, 11, 27, 14, 0, tzinfo=UTC)  # 09:00 in New York
    done = submit_disposition(
        agents, call.attempt_id, call.agent.id, "callback", at(110),
        callback_at=when, callback_for_me=True,
    )  # fmt: skip
    assert done.agent.state is AgentState.READY
    # The customer and the third party hang up later: the worker's close keeps the callback.
    result = AttemptResult(Outcome.CONNECTED, sip_status=200, agent_id=call.agent.id)
    assert attempt_store.finish_attempt(db, call.attempt_id, result, at(400))
    assert (contact_of(db, call) or ())[:3] == ("callback", when, call.agent.id)
    assert row(
        db, "SELECT attempts, last_outcome FROM contacts WHERE id = %s", call.contact_id
    ) == (1, "connected")


def test_a_transfer_that_came_back_still_waits_for_the_call_to_close(
    db: Connection, agents: AgentService
) -> None:
    call = talked_call(db, agents, close=False)
    attempt_store.record_transfer(db, call.attempt_id, "+14155550199", at(50), "busy")
    with pytest.raises(AttemptStillOpen):
        submit_disposition(agents, call.attempt_id, call.agent.id, "sale", at(110))


# A disposition and a worker closing another call of the same campaign, interleaved: both write a
# call's row and a contact's, which fold into shared report rollup rows. Taken in opposite orders
# they deadlock (seen in a live run); taken call-first, one waits for the other.


def _wait_until_blocked(db: Connection, timeout_s: float = 10.0) -> None:
    """Until a backend of this database waits for a lock (the disposition: nothing else runs)."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        blocked = db.execute(
            "SELECT 1 FROM pg_stat_activity"
            " WHERE datname = current_database() AND wait_event_type = 'Lock'"
        ).fetchone()
        if blocked:
            return
        time.sleep(0.02)
    pytest.fail("the disposition never waited for the closing call")


def test_a_disposition_waits_for_a_closing_call_instead_of_deadlocking(
    db: Connection, agents: AgentService, database_url: str
) -> None:
    call = talked_call(db, agents)  # closed, waiting for its disposition
    state, attempts = db.execute(
        "SELECT state, attempts FROM contacts WHERE id = %s", (call.contact_id,)
    ).fetchone() or (None, None)
    [other] = make_contacts(db, call.campaign, ["+12125550199"])
    db.execute(  # on the same list as the call's contact (the factory makes a list per call)
        "UPDATE contacts SET list_id = (SELECT list_id FROM contacts WHERE id = %s) WHERE id = %s",
        (call.contact_id, other),
    )
    [other_attempt] = attempt_store.create_attempts(
        db, call.campaign.id, [other], now=at(0), expires_at=at(60)
    )
    attempt_store.begin_dialing(db, other_attempt, "worker-2", at(1))

    # The worker closing the other call, in finish_attempt's order: its call row first (the
    # campaign's "connected" rollup rows), held open while the disposition comes in.
    worker = psycopg.connect(database_url)
    worker.execute(
        "UPDATE call_attempts SET state = 'ended', outcome = 'connected', hangup_at = %s"
        " WHERE id = %s",
        (at(101), other_attempt),
    )
    # The agent's disposition, on the dashboard's pool, from another thread.
    outcome: dict[str, object] = {}

    def dispose() -> None:
        try:
            # A retry: the contact leaves "done, 1 attempt" for "dialable" (a rollup move).
            outcome["done"] = submit_disposition(
                agents, call.attempt_id, call.agent.id, "answering_machine", at(110)
            )
        except psycopg.Error as error:  # the assertion below shows it
            outcome["error"] = error

    disposer = threading.Thread(target=dispose)
    disposer.start()
    # It blocks on a campaign rollup row the worker holds.
    _wait_until_blocked(db)

    # The worker goes on to the other contact, into the "done, 1 attempt" rollup row of the
    # list that the disposition moves its contact out of: with the contact written first, the
    # disposition would hold that row now, and PostgreSQL would kill one of the two.
    worker.execute(
        "UPDATE contacts SET state = %s, attempts = %s WHERE id = %s",
        (state, attempts, other),
    )
    worker.commit()
    worker.close()
    disposer.join(timeout=10)

    assert "error" not in outcome, outcome.get("error")
    assert db.execute(
        "SELECT disposition FROM call_attempts WHERE id = %s", (call.attempt_id,)
    ).fetchone() == ("answering_machine",)
