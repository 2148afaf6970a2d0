"""The agents' live state in a real Redis, with its history in a real PostgreSQL."""

from __future__ import annotations

from datetime import datetime

import pytest

from campaigns.agents import AgentState
from campaigns.errors import ValidationError
from campaigns.storage.db import Connection
from dialer import live_events
from dialer.agents import codec
from dialer.agents.errors import IllegalTransition
from dialer.agents.machine import transition
from dialer.agents.model import Reserved
from dialer.agents.service import AgentService, HandBack
from tests.agent_factories import make_agent
from tests.agent_fixtures import agents
from tests.factories import make_campaign
from tests.integration.ready_agents import at, ready_agents

__all__ = ["agents"]


def history(
    db: Connection, agent_id: int
) -> list[tuple[str, str | None, datetime, datetime | None]]:
    return db.execute(
        "SELECT state, reason, started_at, ended_at FROM agent_state_history"
        " WHERE agent_id = %s ORDER BY seq",
        (agent_id,),
    ).fetchall()


def test_a_claim_takes_the_longest_idle_ready_agent(db: Connection, agents: AgentService) -> None:
    campaign = make_campaign(db)
    alice, bob, _ = ready_agents(db, agents, [campaign], ["alice", "bob", "carol"])
    first = agents.claim(campaign.id, 101, at(10))
    second = agents.claim(campaign.id, 102, at(10))
    assert first is not None and second is not None
    assert (first.agent_id, second.agent_id) == (alice.id, bob.id)
    assert first.sip_uri == "sip:alice@127.0.0.1:5099"
    assert agents.status(alice.id).state is AgentState.RESERVED
    assert agents.status(alice.id).attempt_id == 101


def test_no_ready_agent_means_no_claim(db: Connection, agents: AgentService) -> None:
    campaign = make_campaign(db)
    [alice] = ready_agents(db, agents, [campaign], ["alice"])
    agents.pause(alice.id, "break", at(5))
    assert agents.claim(campaign.id, 101, at(10)) is None


def test_an_agent_on_two_campaigns_is_given_one_call_only(
    db: Connection, agents: AgentService
) -> None:
    sales, support = make_campaign(db, "Sales"), make_campaign(db, "Support")
    [alice] = ready_agents(db, agents, [sales, support], ["alice"])
    assert agents.claim(support.id, 101, at(10)) is not None
    assert agents.claim(sales.id, 102, at(10)) is None
    assert agents.status(alice.id).call_campaign_id == support.id


def test_the_claim_script_writes_what_the_state_machine_decides(
    db: Connection, agents: AgentService
) -> None:
    campaign = make_campaign(db)
    [alice] = ready_agents(db, agents, [campaign], ["alice"])
    before = agents.status(alice.id)
    expected, _ = transition(before, Reserved(101, campaign.id, at(10)))
    agents.claim(campaign.id, 101, at(10))
    stored = agents.redis.hgetall(codec.agent_key(alice.id))
    assert {k: v for k, v in stored.items() if k in codec.encode(expected)} == codec.encode(
        expected
    )


def test_a_whole_call_is_recorded_in_history_without_gaps(
    db: Connection, agents: AgentService
) -> None:
    campaign = make_campaign(db)  # wrap-up limit 60 s
    [alice] = ready_agents(db, agents, [campaign], ["alice"])
    claimed = agents.claim(campaign.id, 101, at(10))
    assert claimed is not None
    assert agents.connected(alice.id, 101, at(11))
    assert agents.ended(alice.id, 101, at(100))
    wrap = agents.status(alice.id)
    assert (wrap.state, wrap.wrap_up_until) == (AgentState.WRAP_UP, at(160))
    agents.finish_wrap_up(alice.id, 101, at(120))
    rows = history(db, alice.id)
    assert [r[0] for r in rows] == [
        "paused", "ready", "reserved", "on_call", "wrap_up", "ready",
    ]  # fmt: skip
    assert [r[2] for r in rows] == [at(0), at(1), at(10), at(11), at(100), at(120)]
    assert [r[3] for r in rows] == [at(1), at(10), at(11), at(100), at(120), None]


def test_pausing_while_reserved_holds_the_reservation_until_the_call_is_over(
    db: Connection, agents: AgentService
) -> None:
    campaign = make_campaign(db)
    alice, bob = ready_agents(db, agents, [campaign], ["alice", "bob"])
    agents.claim(campaign.id, 101, at(10))
    status = agents.pause(alice.id, "break", at(10.5))
    assert status.state is AgentState.RESERVED
    assert status.after_call is not None and status.after_call.reason == "break"
    # Still not offered another call meanwhile: the next claim goes to bob.
    claimed = agents.claim(campaign.id, 102, at(10.6))
    assert claimed is not None and claimed.agent_id == bob.id
    agents.connected(alice.id, 101, at(11))
    agents.ended(alice.id, 101, at(50))
    assert agents.status(alice.id).state is AgentState.WRAP_UP
    agents.finish_wrap_up(alice.id, 101, at(55))
    after = agents.status(alice.id)
    assert (after.state, after.reason) == (AgentState.PAUSED, "break")
    assert agents.claim(campaign.id, 103, at(56)) is None


def test_a_pause_while_reserved_applies_as_soon_as_the_call_fails(
    db: Connection, agents: AgentService
) -> None:
    campaign = make_campaign(db)
    [alice] = ready_agents(db, agents, [campaign], ["alice"])
    agents.claim(campaign.id, 101, at(10))
    agents.pause(alice.id, "lunch", at(10.2))
    assert agents.release(alice.id, 101, HandBack.UNUSED, at(10.4))
    status = agents.status(alice.id)
    assert (status.state, status.reason) == (AgentState.PAUSED, "lunch")


def test_a_phone_that_does_not_answer_pauses_its_agent_and_the_next_is_offered(
    db: Connection, agents: AgentService
) -> None:
    campaign = make_campaign(db)
    alice, bob = ready_agents(db, agents, [campaign], ["alice", "bob"])
    agents.claim(campaign.id, 101, at(10))
    agents.release(alice.id, 101, HandBack.NOT_ANSWERING, at(11))
    status = agents.status(alice.id)
    assert (status.state, status.reason) == (AgentState.PAUSED, "phone_not_answering")
    retry = agents.claim(campaign.id, 101, at(11))
    assert retry is not None and retry.agent_id == bob.id


def test_an_unused_reservation_keeps_the_agent_first_in_line(
    db: Connection, agents: AgentService
) -> None:
    campaign = make_campaign(db)
    alice, _ = ready_agents(db, agents, [campaign], ["alice", "bob"])
    agents.claim(campaign.id, 101, at(10))
    agents.release(alice.id, 101, HandBack.UNUSED, at(12))
    again = agents.claim(campaign.id, 102, at(13))
    assert again is not None and again.agent_id == alice.id


def test_a_hand_back_for_a_call_the_agent_no_longer_holds_is_ignored(
    db: Connection, agents: AgentService
) -> None:
    campaign = make_campaign(db)
    [alice] = ready_agents(db, agents, [campaign], ["alice"])
    agents.claim(campaign.id, 101, at(10))
    assert agents.release(alice.id, 101, HandBack.UNUSED, at(11))
    assert not agents.release(alice.id, 101, HandBack.UNUSED, at(12))
    assert not agents.connected(alice.id, 101, at(12))
    assert agents.status(alice.id).state is AgentState.READY


def test_wrap_up_past_its_limit_is_ended_by_the_tick(db: Connection, agents: AgentService) -> None:
    campaign = make_campaign(db, wrapup_limit_s=30)
    [alice] = ready_agents(db, agents, [campaign], ["alice"])
    agents.claim(campaign.id, 101, at(10))
    agents.connected(alice.id, 101, at(11))
    agents.ended(alice.id, 101, at(100))
    assert agents.tick(at(129)).wrap_ups_expired == 0
    assert agents.status(alice.id).state is AgentState.WRAP_UP
    assert agents.tick(at(130)).wrap_ups_expired == 1
    status = agents.status(alice.id)
    assert (status.state, status.idle_since) == (AgentState.READY, at(130))
    assert [r[0] for r in history(db, alice.id)][-2:] == ["wrap_up", "ready"]


def test_login_is_limited_to_the_agents_campaigns_and_pauses_to_known_codes(
    db: Connection, agents: AgentService
) -> None:
    sales, other = make_campaign(db, "Sales"), make_campaign(db, "Other")
    alice = make_agent(db, "alice", [sales])
    with pytest.raises(ValidationError, match="may not work"):
        agents.login(alice.id, at(0), [other.id])
    agents.login(alice.id, at(0))
    with pytest.raises(ValidationError, match="not a pause code"):
        agents.pause(alice.id, "nap", at(1))
    with pytest.raises(IllegalTransition, match="already logged in"):
        agents.login(alice.id, at(2))


def test_every_change_is_published_as_an_agent_state_event(
    db: Connection, agents: AgentService
) -> None:
    campaign = make_campaign(db)
    [alice] = ready_agents(db, agents, [campaign], ["alice"])
    agents.claim(campaign.id, 101, at(10))
    agents.pause(alice.id, "break", at(10.5))
    events = [e for e in live_events.latest(agents.redis) if e.type == "agent_state"]
    assert [(e.data["state"], e.data["after_call"]) for e in events] == [
        ("paused", None), ("ready", None), ("reserved", None), ("reserved", "paused"),
    ]  # fmt: skip
    claimed = events[2].data
    assert claimed["username"] == "alice"
    assert claimed["previous"] == "ready"
    assert claimed["attempt_id"] == 101
    assert claimed["campaign_id"] == campaign.id
    assert claimed["since"] == at(10).isoformat()


def test_a_callback_for_one_agent_is_claimed_for_that_agent_only(
    db: Connection, agents: AgentService
) -> None:
    campaign = make_campaign(db)
    alice, bob = ready_agents(db, agents, [campaign], ["alice", "bob"])
    claimed = agents.claim(campaign.id, 101, at(10), only_agent_id=bob.id)
    assert claimed is not None and claimed.agent_id == bob.id
    assert agents.claim(campaign.id, 102, at(11), only_agent_id=bob.id) is None  # busy: nobody
    assert agents.status(alice.id).state is AgentState.READY
