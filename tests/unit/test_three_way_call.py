"""Three-way call in the call flow, against the fake telephony on its virtual clock: the third
party joins the customer and the agent; the agent leaves (the two others stay connected) or
drops the third party (back to a two-way call)."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime

import pytest

from dialer.call_flow import AgentRelease, run_attempt
from dialer.call_flow.inputs import (
    ConferenceDecided,
    ConferenceMove,
    FlowEvent,
    TransferRequested,
)
from dialer.call_flow.model import TransferOutcome
from dialer.telephony.fake import Answer, FakeTelephony, Reject, RemoteHangup, Ring

from .blind_transfer_desks import ALICE, THIRD_URI, Desk, WarmDesk
from .call_flow_support import CUSTOMER_URI, Claimer, Reporter, spec

pytestmark = pytest.mark.unit

CUSTOMER, AGENT, THIRD = "a1:customer", "a1:agent1", "a1:transfer1"


@dataclass
class ConferenceDesk(WarmDesk):
    """Adds the third party ``after`` seconds into the talk, then (``complete`` True or False)
    leaves or drops them ``decide_after`` seconds after they joined; None: neither."""

    decide_on = TransferOutcome.CONFERENCED

    def ask(self, asked: TransferRequested) -> FlowEvent:
        return replace(asked, conference=True)

    def decide(self, complete: bool, now: datetime) -> FlowEvent:
        return ConferenceDecided(ConferenceMove.LEAVE if complete else ConferenceMove.DROP, now)


def three_way(
    agent_leaves: bool | None,
    third: tuple[Ring | Answer | Reject | RemoteHangup, ...] = (Ring(0.2), Answer(2.0)),
    agent: tuple[Answer | RemoteHangup, ...] = (Answer(0.05),),
    desk_type: type[WarmDesk] = ConferenceDesk,
) -> tuple[FakeTelephony, Claimer, WarmDesk]:
    fake = FakeTelephony(
        {
            CUSTOMER_URI: (Ring(0.1), Answer(1.0), RemoteHangup(60.0)),
            ALICE.sip_uri: agent,
            THIRD_URI: third,
        }
    )
    reporter, claimer = Reporter(), Claimer([ALICE])
    desk = desk_type(fake, reporter, complete=agent_leaves)
    run_attempt(spec(handoff=True), fake, reporter, claimer=claimer, clock=fake.clock, desk=desk)
    return fake, claimer, desk


def outcomes(desk: Desk) -> list[TransferOutcome]:
    return [r.outcome for r in desk.reports]


def test_the_third_party_joins_both_the_customer_and_the_agent() -> None:
    fake, claimer, desk = three_way(None)
    assert outcomes(desk) == [TransferOutcome.CONFERENCED]
    assert fake.is_bridged(CUSTOMER, THIRD) and fake.is_bridged(AGENT, THIRD)
    assert fake.is_bridged(CUSTOMER, AGENT)  # never unbridged by the call flow
    # The customer's hang-up ends the three-way call: every leg goes, the agent wraps up.
    assert THIRD in fake.hangups and AGENT in fake.hangups
    assert claimer.released == [("alice", AgentRelease.TALKED)]
    assert fake.free_legs() == 4


def test_the_agent_leaving_keeps_the_customer_and_the_third_party_connected() -> None:
    fake, claimer, desk = three_way(True)
    assert outcomes(desk) == [TransferOutcome.CONFERENCED, TransferOutcome.ANSWERED]
    assert fake.hangups[0] == AGENT
    assert claimer.released == [("alice", AgentRelease.TRANSFERRED)]
    assert fake.free_legs() == 4


def test_the_agent_hanging_up_their_phone_leaves_the_three_way_call_the_same_way() -> None:
    _, claimer, desk = three_way(None, agent=(Answer(0.05), RemoteHangup(12.0)))
    assert outcomes(desk) == [TransferOutcome.CONFERENCED, TransferOutcome.ANSWERED]
    assert claimer.released == [("alice", AgentRelease.TRANSFERRED)]


def test_dropping_the_third_party_goes_back_to_a_two_way_call() -> None:
    fake, claimer, desk = three_way(False)
    assert outcomes(desk) == [TransferOutcome.CONFERENCED, TransferOutcome.DROPPED]
    assert desk.reports[-1].back_to_agent
    assert fake.hangups[0] == THIRD
    # The agent stayed with the customer until the customer hung up.
    assert claimer.released == [("alice", AgentRelease.TALKED)]
    assert fake.free_legs() == 4


def test_the_third_party_hanging_up_is_a_drop() -> None:
    _, claimer, desk = three_way(None, third=(Ring(0.2), Answer(2.0), RemoteHangup(4.0)))
    assert outcomes(desk) == [TransferOutcome.CONFERENCED, TransferOutcome.DROPPED]
    assert claimer.released == [("alice", AgentRelease.TALKED)]


def test_a_third_party_that_is_busy_gives_the_customer_back_to_the_agent() -> None:
    _, _, desk = three_way(None, third=(Ring(0.2), Reject(1.0, 486)))
    assert outcomes(desk) == [TransferOutcome.BUSY]


@dataclass
class MergingDesk(WarmDesk):
    """Consults, then brings the consulted third party in ``decide_after`` seconds later."""

    def decide(self, complete: bool, now: datetime) -> FlowEvent:
        return ConferenceDecided(ConferenceMove.MERGE, now)


def test_a_consultation_becomes_a_three_way_call_when_the_agent_merges_it() -> None:
    agent = (Answer(0.05), RemoteHangup(20.0))
    fake, claimer, desk = three_way(True, agent=agent, desk_type=MergingDesk)
    assert outcomes(desk) == [
        TransferOutcome.CONSULTING,
        TransferOutcome.CONFERENCED,
        TransferOutcome.ANSWERED,  # the agent hung up their phone: the two others go on
    ]
    assert fake.is_bridged(CUSTOMER, THIRD) and fake.is_bridged(AGENT, THIRD)
    assert claimer.released == [("alice", AgentRelease.TRANSFERRED)]
