"""Blind transfer in the call flow, against the fake telephony on its virtual clock: the third
party answers (customer passed on, agent released) or not (customer back to the agent)."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta

import pytest

from dialer.call_flow import AgentRef, AgentRelease, Milestone, run_attempt
from dialer.call_flow.inputs import FlowEvent, TransferDecided, TransferRequested
from dialer.call_flow.model import TransferOutcome, TransferReport
from dialer.telephony import E164, Outcome
from dialer.telephony.capacity import LegReservation, reserve_feature_leg
from dialer.telephony.fake import Answer, FakeTelephony, Reject, RemoteHangup, Ring

from .call_flow_support import CUSTOMER_URI, TRUNK, Claimer, Reporter, spec

pytestmark = pytest.mark.unit

ALICE = AgentRef("alice", "sip:alice@127.0.0.1:15070")
THIRD = E164("+14155550199")
THIRD_URI = TRUNK.request_uri(THIRD)


@dataclass
class Desk:
    """Asks for a transfer ``after`` seconds of talk with the agent; keeps the reports."""

    fake: FakeTelephony
    reporter: Reporter
    after: float = 3.0
    reserve: bool = True
    asked: bool = False
    reports: list[TransferReport] = field(default_factory=list)
    reservation: LegReservation | None = None

    def next_request(self) -> FlowEvent | None:
        connected = [at for m, at in self.reporter.progress_seen if m is Milestone.AGENT_CONNECTED]
        now = self.fake.clock.now()
        if self.asked or not connected or now < connected[0] + timedelta(seconds=self.after):
            return None
        self.asked = True
        self.reservation = reserve_feature_leg(self.fake) if self.reserve else None
        return TransferRequested(THIRD, now, self.reservation)

    def transfer_reported(self, report: TransferReport) -> None:
        # As CallFeatures does: the reservation's owner lets go once the transfer is decided
        # (a leg still live keeps its slot until it ends).
        self.reports.append(report)
        if self.reservation is not None:
            self.reservation.release()


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


@dataclass
class WarmDesk(Desk):
    """Consults ``after`` seconds into the talk, then decides ``decide_after`` seconds after
    the third party answered (complete or cancel); None: never decides."""

    complete: bool | None = True
    decide_after: float = 5.0
    decided: bool = False
    # The report after which the agent decides (a subclass: the three-way call's).
    decide_on = TransferOutcome.CONSULTING

    def next_request(self) -> FlowEvent | None:
        asked = super().next_request()
        if asked is not None:
            assert isinstance(asked, TransferRequested)
            return self.ask(asked)
        joined = [r.at for r in self.reports if r.outcome is self.decide_on]
        now = self.fake.clock.now()
        if self.complete is None or self.decided or not joined:
            return None
        if now < joined[0] + timedelta(seconds=self.decide_after):
            return None
        self.decided = True
        return self.decide(self.complete, now)

    def ask(self, asked: TransferRequested) -> FlowEvent:
        return replace(asked, warm=True)

    def decide(self, complete: bool, now: datetime) -> FlowEvent:
        return TransferDecided(complete, now)


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
