"""Answered calls go to an agent within 2 s, or hear the abandonment message."""

from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta

import pytest

from dialer.call_flow import AgentRef, AgentRelease, Milestone, run_attempt
from dialer.call_flow.model import (
    AGENT_CONNECT_ALLOWANCE,
    CLAIM_RETRY,
    CONNECT_WINDOW,
    MESSAGE_MARGIN,
)
from dialer.call_flow.ports import Clock
from dialer.telephony import Outcome
from dialer.telephony.fake import Answer, FailToSend, FakeTelephony, Reject, RemoteHangup, Ring

from .call_flow_support import CUSTOMER_URI, MESSAGE, Claimer, Reporter, spec

pytestmark = pytest.mark.unit

ALICE = AgentRef("alice", "sip:alice@127.0.0.1:15070")
BOB = AgentRef("bob", "sip:bob@127.0.0.1:15071")
CUSTOMER_ANSWERS = (Ring(0.1), Answer(2.0), RemoteHangup(60.0))


def test_answered_call_is_bridged_to_the_claimed_agent_with_screen_pop() -> None:
    fake = FakeTelephony({CUSTOMER_URI: CUSTOMER_ANSWERS, ALICE.sip_uri: (Answer(0.05),)})
    claimer = Claimer([ALICE])
    reporter = Reporter()
    result = run_attempt(spec(handoff=True), fake, reporter, claimer=claimer, clock=fake.clock)
    assert result.outcome is Outcome.ANSWERED
    assert result.agent == ALICE
    assert fake.bridges == [("a1:customer", "a1:agent1")]
    tl = result.timeline
    assert tl.answered_at is not None and tl.agent_connected_at is not None
    assert tl.agent_connected_at - tl.answered_at == timedelta(seconds=0.05)
    agent_invite = fake.originated[1]
    assert ("X-Attempt-Id", "a1") in [(h.name, h.value) for h in agent_invite.headers]
    assert claimer.released == [("alice", AgentRelease.TALKED)]
    assert [m for m, _ in reporter.progress_seen] == [
        Milestone.RINGING,
        Milestone.ANSWERED,
        Milestone.AGENT_CONNECTED,
    ]
    assert fake.free_legs() == 4


def test_no_free_agent_plays_the_message_within_two_seconds_and_hangs_up() -> None:
    fake = FakeTelephony({CUSTOMER_URI: CUSTOMER_ANSWERS}, playback_seconds=5.0)
    result = run_attempt(
        spec(handoff=True), fake, Reporter(), claimer=Claimer([]), clock=fake.clock
    )
    assert result.outcome is Outcome.ABANDONED
    tl = result.timeline
    assert tl.answered_at is not None and tl.message_started_at is not None
    assert tl.message_started_at - tl.answered_at <= timedelta(seconds=2)
    assert fake.playbacks == [("a1:customer", MESSAGE, tl.message_started_at)]
    assert fake.hangups == ["a1:customer"]
    assert tl.ended_at == tl.message_started_at + timedelta(seconds=5)


def test_agent_phone_that_rejects_is_reported_and_the_next_agent_is_tried() -> None:
    fake = FakeTelephony(
        {
            CUSTOMER_URI: CUSTOMER_ANSWERS,
            ALICE.sip_uri: (Reject(0.1, 486),),
            BOB.sip_uri: (Answer(0.1),),
        }
    )
    claimer = Claimer([ALICE, BOB])
    result = run_attempt(spec(handoff=True), fake, Reporter(), claimer=claimer, clock=fake.clock)
    assert result.outcome is Outcome.ANSWERED
    assert result.agent == BOB
    assert result.timeline.agents_tried == ("alice", "bob")
    assert claimer.released == [
        ("alice", AgentRelease.NOT_ANSWERING),
        ("bob", AgentRelease.TALKED),
    ]


def test_agent_phone_that_never_answers_leads_to_the_message_in_time() -> None:
    fake = FakeTelephony({CUSTOMER_URI: CUSTOMER_ANSWERS, ALICE.sip_uri: (Ring(0.1),)})
    claimer = Claimer([ALICE])
    result = run_attempt(spec(handoff=True), fake, Reporter(), claimer=claimer, clock=fake.clock)
    assert result.outcome is Outcome.ABANDONED
    tl = result.timeline
    assert tl.answered_at is not None and tl.message_started_at is not None
    assert tl.message_started_at - tl.answered_at <= timedelta(seconds=2)
    assert "a1:agent1" in fake.hangups
    assert claimer.released == [("alice", AgentRelease.NOT_ANSWERING)]


def test_customer_hanging_up_while_agent_rings_frees_the_agent_as_unused() -> None:
    fake = FakeTelephony(
        {CUSTOMER_URI: (Answer(1.0), RemoteHangup(0.5)), ALICE.sip_uri: (Ring(0.1),)}
    )
    claimer = Claimer([ALICE])
    result = run_attempt(spec(handoff=True), fake, Reporter(), claimer=claimer, clock=fake.clock)
    assert result.outcome is Outcome.ABANDONED
    assert result.timeline.message_started_at is None
    assert claimer.released == [("alice", AgentRelease.UNUSED)]
    assert fake.free_legs() == 4


def test_agent_hanging_up_ends_the_customer_leg() -> None:
    fake = FakeTelephony(
        {CUSTOMER_URI: (Answer(1.0),), ALICE.sip_uri: (Answer(0.1), RemoteHangup(30.0))}
    )
    claimer = Claimer([ALICE])
    result = run_attempt(spec(handoff=True), fake, Reporter(), claimer=claimer, clock=fake.clock)
    assert result.outcome is Outcome.ANSWERED
    assert fake.hangups == ["a1:customer"]
    assert claimer.released == [("alice", AgentRelease.TALKED)]


def test_talk_time_limit_hangs_up_both_legs_and_sends_the_agent_to_wrap_up() -> None:
    fake = FakeTelephony({CUSTOMER_URI: (Answer(1.0),), ALICE.sip_uri: (Answer(0.1),)})
    claimer = Claimer([ALICE])
    long_call = replace(spec(handoff=True), max_talk=timedelta(minutes=5))
    result = run_attempt(long_call, fake, Reporter(), claimer=claimer, clock=fake.clock)
    assert result.outcome is Outcome.ANSWERED
    assert sorted(fake.hangups) == ["a1:agent1", "a1:customer"]
    assert claimer.released == [("alice", AgentRelease.TALKED)]
    tl = result.timeline
    assert tl.agent_connected_at is not None and tl.ended_at is not None
    assert tl.ended_at - tl.agent_connected_at == timedelta(minutes=5)


def test_no_slot_for_the_agent_leg_abandons_without_blaming_the_agent() -> None:
    fake = FakeTelephony(
        {CUSTOMER_URI: CUSTOMER_ANSWERS, ALICE.sip_uri: FailToSend(no_free_leg=True)}
    )
    claimer = Claimer([ALICE, BOB])
    result = run_attempt(spec(handoff=True), fake, Reporter(), claimer=claimer, clock=fake.clock)
    assert result.outcome is Outcome.ABANDONED
    assert result.timeline.message_started_at is not None
    assert claimer.released == [("alice", AgentRelease.UNUSED)]


@dataclass
class _ReadyAfter:
    """No agent ready until ``delay`` after the first claim (an agent finishing a wrap-up)."""

    clock: Clock
    delay: timedelta
    agent: AgentRef = ALICE
    claims: list[datetime] = field(default_factory=list)
    deadlines: list[datetime | None] = field(default_factory=list)
    released: list[tuple[str, AgentRelease]] = field(default_factory=list)

    def claim_agent(
        self, attempt_id: str, only_agent_id: str | None = None, until: datetime | None = None
    ) -> AgentRef | None:
        self.claims.append(self.clock.now())
        self.deadlines.append(until)
        return self.agent if self.clock.now() - self.claims[0] >= self.delay else None

    def release_agent(self, agent: AgentRef, reason: AgentRelease) -> None:
        self.released.append((agent.agent_id, reason))

    def took_over(self, agent: AgentRef) -> None:
        pass

    def joined(self, agent: AgentRef) -> None:
        pass


def test_an_agent_freed_within_the_window_takes_the_answer_instead_of_the_message() -> None:
    fake = FakeTelephony({CUSTOMER_URI: CUSTOMER_ANSWERS, ALICE.sip_uri: (Answer(0.05),)})
    claimer = _ReadyAfter(fake.clock, timedelta(seconds=0.8))
    result = run_attempt(spec(handoff=True), fake, Reporter(), claimer=claimer, clock=fake.clock)
    assert result.outcome is Outcome.ANSWERED and result.agent == ALICE
    tl = result.timeline
    assert tl.answered_at is not None and tl.agent_connected_at is not None
    assert tl.agent_connected_at - tl.answered_at < timedelta(seconds=1)
    assert fake.playbacks == []
    # asked again every CLAIM_RETRY until the agent was free
    assert len(claimer.claims) == 1 + round(0.8 / CLAIM_RETRY.total_seconds())


def test_an_agent_freed_too_late_to_connect_in_time_leaves_the_answer_to_the_message() -> None:
    fake = FakeTelephony({CUSTOMER_URI: CUSTOMER_ANSWERS}, playback_seconds=5.0)
    claimer = _ReadyAfter(fake.clock, timedelta(seconds=1.6))
    result = run_attempt(spec(handoff=True), fake, Reporter(), claimer=claimer, clock=fake.clock)
    assert result.outcome is Outcome.ABANDONED
    tl = result.timeline
    assert tl.answered_at is not None and tl.message_started_at is not None
    assert tl.message_started_at - tl.answered_at <= timedelta(seconds=2)
    # the last claim came early enough for an agent's phone to answer before the timer
    last_claim = claimer.claims[-1]
    abandon_at = tl.answered_at + CONNECT_WINDOW - MESSAGE_MARGIN
    assert abandon_at - last_claim >= AGENT_CONNECT_ALLOWANCE
    # every claim told the claimer how long this answer may wait (its place in the line)
    assert set(claimer.deadlines) == {abandon_at - AGENT_CONNECT_ALLOWANCE}
    assert all(at <= abandon_at - AGENT_CONNECT_ALLOWANCE for at in claimer.claims)
    assert claimer.released == []
