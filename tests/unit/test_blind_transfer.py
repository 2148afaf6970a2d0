"""Blind transfer in the call flow, against the fake telephony on its virtual clock: the third
party answers (customer passed on, agent released) or not (customer back to the agent)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

import pytest

from dialer.call_flow import AgentRelease, run_attempt
from dialer.call_flow.inputs import FlowEvent, TransferRequested
from dialer.call_flow.model import TransferOutcome
from dialer.telephony import Outcome
from dialer.telephony.fake import Answer, FakeTelephony, Reject, RemoteHangup, Ring

from .blind_transfer_desks import ALICE, THIRD, THIRD_URI, Desk, WarmDesk
from .call_flow_support import CUSTOMER_URI, TRUNK, Claimer, Reporter, spec

pytestmark = pytest.mark.unit


def transfer_call(
    third: tuple[Ring | Answer | Reject | RemoteHangup, ...],
    customer_hangs_up: float = 120.0,
    agent: tuple[Answer | RemoteHangup, ...] = (Answer(0.05),),
) -> tuple[FakeTelephony, Reporter, Claimer, Desk, Outcome, datetime | None]:
    fake = FakeTelephony(
        {
            CUSTOMER_URI: (Ring(0.1), Answer(1.0), RemoteHangup(customer_hangs_up)),
            ALICE.sip_uri: agent,
            THIRD_URI: third,
        }
    )
    reporter, claimer = Reporter(), Claimer([ALICE])
    desk = Desk(fake, reporter)
    result = run_attempt(
        spec(handoff=True), fake, reporter, claimer=claimer, clock=fake.clock, desk=desk
    )
    return fake, reporter, claimer, desk, result.outcome, result.timeline.ended_at


def test_answered_transfer_bridges_customer_and_third_party_and_releases_the_agent() -> None:
    fake, _, claimer, desk, outcome, _ = transfer_call((Ring(0.2), Answer(4.0), RemoteHangup(30)))
    third_invite = fake.originated[2]
    assert third_invite.uri == THIRD_URI  # through the campaign's trunk
    assert third_invite.from_uri == TRUNK.from_uri()
    assert ("a1:customer", "a1:transfer1") in fake.bridges
    assert "a1:agent1" in fake.hangups
    assert claimer.released == [("alice", AgentRelease.TRANSFERRED)]
    [report] = desk.reports
    assert report.outcome is TransferOutcome.ANSWERED
    assert report.destination == THIRD.value
    assert report.at - report.requested_at == timedelta(seconds=4.2)  # 0.2 s ring + 4 s
    # The third party's hang-up ends the customer's call too; the agent's talk counts.
    assert "a1:customer" in fake.hangups
    assert outcome is Outcome.ANSWERED
    assert fake.free_legs() == 4


@pytest.mark.parametrize(
    ("third", "expected"),
    [
        ((Ring(0.2), Reject(3.0, 486, "Busy Here")), TransferOutcome.BUSY),
        ((Ring(0.2), Reject(3.0, 480, "Temporarily Unavailable")), TransferOutcome.NO_ANSWER),
        ((Ring(0.2),), TransferOutcome.NO_ANSWER),  # our ring timeout cancels it
        ((Reject(0.1, 403, "Forbidden"),), TransferOutcome.FAILED),
    ],
)
def test_a_transfer_not_answered_gives_the_customer_back_to_the_agent(
    third: tuple[Ring | Reject, ...], expected: TransferOutcome
) -> None:
    fake, _, claimer, desk, outcome, _ = transfer_call(third, customer_hangs_up=60.0)
    [report] = desk.reports
    assert report.outcome is expected
    assert report.back_to_agent
    # The agent kept the call until the customer hung up (we hung up nobody but the agent then).
    assert "a1:customer" not in fake.hangups
    assert fake.hangups[-1] == "a1:agent1"
    assert claimer.released == [("alice", AgentRelease.TALKED)]
    assert outcome is Outcome.ANSWERED
    assert fake.free_legs() == 4


def test_the_customer_hanging_up_while_the_third_party_rings_cancels_the_transfer() -> None:
    fake, _, claimer, desk, _, _ = transfer_call((Ring(0.2),), customer_hangs_up=6.0)
    [report] = desk.reports
    assert report.outcome is TransferOutcome.CUSTOMER_LEFT
    assert {"a1:agent1", "a1:transfer1"} <= set(fake.hangups)
    assert claimer.released == [("alice", AgentRelease.TALKED)]
    assert fake.free_legs() == 4


def test_the_transfer_leg_is_placed_on_its_own_reservation() -> None:
    fake = FakeTelephony(
        {
            CUSTOMER_URI: (Ring(0.1), Answer(1.0), RemoteHangup(60)),
            ALICE.sip_uri: (Answer(0.05),),
            THIRD_URI: (Ring(0.2),),
        }
    )
    reporter = Reporter()
    seen: list[int] = []

    class Watching(Desk):
        def next_request(self) -> FlowEvent | None:
            if self.asked and not self.reports:
                seen.append(fake.free_legs())
            return super().next_request()

    desk = Watching(fake, reporter)
    run_attempt(
        spec(handoff=True), fake, reporter, claimer=Claimer([ALICE]), clock=fake.clock, desk=desk
    )
    assert seen and min(seen) == 1  # customer, agent, third party: 3 of the 4 legs
    assert fake.free_legs() == 4


def test_a_transfer_before_an_agent_talks_is_refused_without_touching_the_call() -> None:
    fake = FakeTelephony({CUSTOMER_URI: (Ring(0.1), Answer(1.0), RemoteHangup(10))})
    reporter = Reporter()

    @dataclass
    class Early(Desk):
        def next_request(self) -> FlowEvent | None:
            if self.asked:
                return None
            self.asked = True
            return TransferRequested(THIRD, self.fake.clock.now())

    desk = Early(fake, reporter)
    run_attempt(spec(), fake, reporter, clock=fake.clock, desk=desk)
    [report] = desk.reports
    assert report.outcome is TransferOutcome.REFUSED
    assert "no agent" in report.reason
    assert [r.uri for r in fake.originated] == [CUSTOMER_URI]


# -- warm (consultative) transfer: the agent talks with the third party first ------------------


def warm_call(
    complete: bool | None, third: tuple[Ring | Answer | Reject | RemoteHangup, ...]
) -> tuple[FakeTelephony, Claimer, WarmDesk]:
    fake = FakeTelephony(
        {
            CUSTOMER_URI: (Ring(0.1), Answer(1.0), RemoteHangup(60.0)),
            ALICE.sip_uri: (Answer(0.05),),
            THIRD_URI: third,
        }
    )
    reporter, claimer = Reporter(), Claimer([ALICE])
    desk = WarmDesk(fake, reporter, complete=complete)
    run_attempt(spec(handoff=True), fake, reporter, claimer=claimer, clock=fake.clock, desk=desk)
    return fake, claimer, desk


def test_a_warm_transfer_bridges_the_agent_to_the_third_party_then_hands_the_customer_over() -> (
    None
):
    fake, claimer, desk = warm_call(True, (Ring(0.2), Answer(2.0)))
    assert [r.outcome for r in desk.reports] == [
        TransferOutcome.CONSULTING,
        TransferOutcome.ANSWERED,
    ]
    assert fake.bridges.index(("a1:agent1", "a1:transfer1")) < fake.bridges.index(
        ("a1:customer", "a1:transfer1")
    )
    assert "a1:agent1" in fake.hangups
    assert claimer.released == [("alice", AgentRelease.TRANSFERRED)]
    assert fake.free_legs() == 4


def test_a_cancelled_consultation_gives_the_customer_back_to_the_agent() -> None:
    fake, claimer, desk = warm_call(False, (Ring(0.2), Answer(2.0)))
    assert [r.outcome for r in desk.reports] == [
        TransferOutcome.CONSULTING,
        TransferOutcome.CANCELLED,
    ]
    assert desk.reports[-1].back_to_agent
    assert ("a1:customer", "a1:transfer1") not in fake.bridges
    assert fake.hangups[0] == "a1:transfer1"
    assert claimer.released == [("alice", AgentRelease.TALKED)]  # when the customer left
    assert fake.free_legs() == 4


def test_the_third_party_leaving_the_consultation_gives_the_customer_back() -> None:
    _, _, desk = warm_call(None, (Ring(0.2), Answer(2.0), RemoteHangup(3.0)))
    assert [r.outcome for r in desk.reports] == [
        TransferOutcome.CONSULTING,
        TransferOutcome.CANCELLED,
    ]


def test_the_agent_hanging_up_during_the_consultation_completes_the_transfer() -> None:
    fake = FakeTelephony(
        {
            CUSTOMER_URI: (Ring(0.1), Answer(1.0), RemoteHangup(60.0)),
            ALICE.sip_uri: (Answer(0.05), RemoteHangup(8.0)),
            THIRD_URI: (Ring(0.2), Answer(2.0)),
        }
    )
    reporter, claimer = Reporter(), Claimer([ALICE])
    desk = WarmDesk(fake, reporter, complete=None)
    run_attempt(spec(handoff=True), fake, reporter, claimer=claimer, clock=fake.clock, desk=desk)
    assert [r.outcome for r in desk.reports] == [
        TransferOutcome.CONSULTING,
        TransferOutcome.ANSWERED,
    ]
    assert ("a1:customer", "a1:transfer1") in fake.bridges
    assert claimer.released == [("alice", AgentRelease.TRANSFERRED)]
