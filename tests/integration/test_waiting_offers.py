"""Call-waiting offers in a real Redis: one per agent; an answer lands only on its own offer."""

from __future__ import annotations

import time
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest
import redis

from dialer.agents.call_waiting import CallWaiting, Phase
from dialer.agents.waiting_offers import Answer, WaitingOffers, offer_key
from dialer.bootstrap import redis_client

NOW = datetime(2026, 11, 27, 8, 0, tzinfo=UTC)


@pytest.fixture
def client(redis_url: str) -> redis.Redis:
    return redis_client(redis_url)


@pytest.fixture
def offers(client: redis.Redis) -> WaitingOffers:
    return WaitingOffers(client)


def offer(agent_id: int = 3, inbound: int = 41, timeout_s: float = 15) -> CallWaiting:
    return CallWaiting(
        agent_id=agent_id,
        first_attempt_id=900,
        inbound_call_id=inbound,
        queue_name="Sales",
        caller="+15550100",
        offered_at=NOW,
        expires_at=NOW + timedelta(seconds=timeout_s),
    )


def test_an_agent_is_offered_one_waiting_call_at_a_time(offers: WaitingOffers) -> None:
    assert offers.place(offer(inbound=41), NOW)
    assert not offers.place(offer(inbound=42), NOW)
    assert offers.place(offer(agent_id=4, inbound=42), NOW)
    assert offers.phases([3, 4, 5]) == {3: Phase.OFFERED, 4: Phase.OFFERED}


def test_an_answer_lands_once_and_only_on_the_offer_it_was_given_for(
    offers: WaitingOffers,
) -> None:
    offers.place(offer(inbound=41), NOW)
    assert not offers.answer(3, 40, Answer.ACCEPT)  # an older offer's button
    assert offers.answer_of(3, 41) is None
    assert offers.answer(3, 41, Answer.DECLINE)
    assert not offers.answer(3, 41, Answer.ACCEPT)  # a second click changes nothing
    assert offers.answer_of(3, 41) is Answer.DECLINE


def test_an_accepted_offer_keeps_the_agent_taken_until_the_second_call_is_over(
    offers: WaitingOffers,
) -> None:
    offers.place(offer(inbound=41), NOW)
    offers.answer(3, 41, Answer.ACCEPT)
    assert offers.save(replace(offer(inbound=41), phase=Phase.ON_SECOND))
    assert offers.phases([3]) == {3: Phase.ON_SECOND}
    assert not offers.answer(3, 41, Answer.DECLINE)
    assert not offers.place(offer(inbound=42), NOW)
    assert not offers.clear(3, 42)  # another call's end leaves this one alone
    assert offers.clear(3, 41)
    assert offers.phases([3]) == {}
    assert offers.place(offer(inbound=42), NOW)


def test_a_forgotten_offer_expires_on_its_own(offers: WaitingOffers, client: redis.Redis) -> None:
    offers.place(offer(timeout_s=0), NOW)
    ttl_ms = client.pttl(offer_key(3))
    assert 0 < ttl_ms <= 10_000
    client.pexpire(offer_key(3), 50)  # rather than wait out the grace period
    time.sleep(0.2)
    assert offers.phases([3]) == {}
    assert offers.place(offer(inbound=42), NOW)
