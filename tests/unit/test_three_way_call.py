"""Three-way call in the call flow, against the fake telephony on its virtual clock: the third
party joins the customer and the agent; the agent leaves (the two others stay connected) or
drops the third party (back to a two-way call)."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from dialer.call_flow import AgentRelease, run_attempt
from dialer.call_flow.inputs import ConferenceDecided, FlowEvent, TransferRequested
from dialer.call_flow.model import TransferOutcome
from dialer.telephony.fake import Answer, FakeTelephony, Reject, RemoteHangup, Ring

from .call_flow_support import CUSTOMER_URI, Claimer, Reporter, spec
from .test_blind_transfer import ALICE, THIRD_URI, Desk

pytestmark = pytest.mark.unit

CUSTOMER, AGENT, THIRD = "a1:customer", "a1:agent1", "a1:transfer1"


@dataclass
class ConferenceDesk(Desk):
    """Adds the third party ``after`` seconds into the talk, then (``agent_leaves`` True or
    False) leaves or drops them ``decide_after`` seconds after they joined; None: neither."""

    agent_leaves: bool | None = True
    decide_after: float = 5.0
    decided: bool = False

    def next_request(self) -> FlowEvent | None:
        asked = super().next_request()
        if asked is not None:
            assert isinstance(asked, TransferRequested)
            return TransferRequested(
                asked.destination, asked.at, asked.reservation, conference=True
            )
        joined = [r.at for r in self.reports if r.outcome is TransferOutcome.CONFERENCED]
        now = self.fake.clock.now()
        if self.agent_leaves is None or self.decided or not joined:
            return None
        if (now - joined[0]).total_seconds() < self.decide_after:
            return None
        self.decided = True
        return ConferenceDecided(self.agent_leaves, now)


def three_way(
    agent_leaves: bool | None,
    third: tuple[Ring | Answer | Reject | RemoteHangup, ...] = (Ring(0.2), Answer(2.0)),
    agent: tuple[Answer | RemoteHangup, ...] = (Answer(0.05),),
) -> tuple[FakeTelephony, Claimer, ConferenceDesk]:
    fake = FakeTelephony(
        {
            CUSTOMER_URI: (Ring(0.1), Answer(1.0), RemoteHangup(60.0)),
            ALICE.sip_uri: agent,
            THIRD_URI: third,
        }
    )
    reporter, claimer = Reporter(), Claimer([ALICE])
    desk = ConferenceDesk(fake, reporter, agent_leaves=agent_leaves)
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
