"""Three-way call with another agent in the call flow, against the fake telephony on its
virtual clock: the other agent is claimed and rung as for a transfer, joins the customer and
the first agent (on call with the attempt, which stays the first agent's), then the first
agent leaves (the call becomes the other agent's) or drops them (they go to wrap-up)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta

import pytest

from dialer.call_flow import AgentRef, AgentRelease, Milestone, run_attempt
from dialer.call_flow.inputs import (
    AgentTransferRequested,
    ConferenceDecided,
    ConferenceMove,
    FlowEvent,
)
from dialer.call_flow.model import TransferOutcome, TransferReport
from dialer.telephony.capacity import LegReservation, reserve_feature_leg
from dialer.telephony.fake import Answer, FakeTelephony, Reject, RemoteHangup, Ring

from .agent_transfer_parties import ALICE, BEA
from .call_flow_support import CUSTOMER_URI, Claimer, Reporter, spec

pytestmark = pytest.mark.unit

CUSTOMER, AGENT, OTHER = "a1:customer", "a1:agent1", "a1:agent2"


@dataclass
class ConferenceDesk:
    """Adds Bea 3 s into the talk; ``move`` (leave or drop) 4 s after she joined, if any."""

    fake: FakeTelephony
    reporter: Reporter
    move: ConferenceMove | None
    # Consult Bea first, then make it a three-way call ("Make 3-way") once she answered.
    merge: bool = False
    merged: bool = False
    asked: bool = False
    moved: bool = False
    reports: list[TransferReport] = field(default_factory=list)
    reservation: LegReservation | None = None

    def next_request(self) -> FlowEvent | None:
        connected = [at for m, at in self.reporter.progress_seen if m is Milestone.AGENT_CONNECTED]
        now = self.fake.clock.now()
        if not connected or now < connected[0] + timedelta(seconds=3):
            return None
        if not self.asked:
            self.asked = True
            self.reservation = reserve_feature_leg(self.fake)
            return AgentTransferRequested(
                "bea", "Bea", now, self.reservation, warm=self.merge, conference=not self.merge
            )
        consulting = [r for r in self.reports if r.outcome is TransferOutcome.CONSULTING]
        if self.merge and consulting and not self.merged:
            self.merged = True
            return ConferenceDecided(ConferenceMove.MERGE, now)
        joined = [r.at for r in self.reports if r.outcome is TransferOutcome.CONFERENCED]
        if self.move is None or self.moved or not joined:
            return None
        if now < joined[0] + timedelta(seconds=4):
            return None
        self.moved = True
        return ConferenceDecided(self.move, now)

    def transfer_reported(self, report: TransferReport) -> None:
        self.reports.append(report)  # as CallFeatures: the reservation goes once joined
        if self.reservation is not None and report.outcome is not TransferOutcome.CONSULTING:
            self.reservation.release()
            self.reservation = None


def conference_with_bea(
    move: ConferenceMove | None,
    bea: tuple[Ring | Answer | Reject | RemoteHangup, ...] = (Ring(0.2), Answer(2.0)),
    ready: bool = True,
    merge: bool = False,
) -> tuple[FakeTelephony, Reporter, Claimer, ConferenceDesk, AgentRef | None]:
    fake = FakeTelephony(
        {
            CUSTOMER_URI: (Ring(0.1), Answer(1.0), RemoteHangup(60.0)),
            ALICE.sip_uri: (Answer(0.05),),
            BEA.sip_uri: bea,
        }
    )
    reporter = Reporter()
    claimer = Claimer([ALICE], others={"bea": BEA} if ready else {})
    desk = ConferenceDesk(fake, reporter, move, merge=merge)
    result = run_attempt(
        spec(handoff=True), fake, reporter, claimer=claimer, clock=fake.clock, desk=desk
    )
    return fake, reporter, claimer, desk, result.agent


def outcomes(desk: ConferenceDesk) -> list[TransferOutcome]:
    return [r.outcome for r in desk.reports]


def test_the_other_agent_joins_the_customer_and_the_first_agent_on_call() -> None:
    fake, _, claimer, desk, agent = conference_with_bea(None)
    invite = fake.originated[2]
    assert (invite.leg, invite.uri) == (OTHER, BEA.sip_uri)
    assert ("X-Attempt-Id", "a1") in [(h.name, h.value) for h in invite.headers]  # screen pop
    assert outcomes(desk) == [TransferOutcome.CONFERENCED]
    assert fake.is_bridged(CUSTOMER, OTHER) and fake.is_bridged(AGENT, OTHER)
    assert fake.is_bridged(CUSTOMER, AGENT)
    assert claimer.joins == ["bea"] and claimer.took == []
    # The customer hung up: Alice wraps up with the disposition, Bea without it.
    assert sorted(claimer.released) == [
        ("alice", AgentRelease.TALKED),
        ("bea", AgentRelease.CONFERENCED),
    ]
    assert agent == ALICE  # the attempt stays Alice's
    assert fake.free_legs() == 4


def test_the_first_agent_leaving_makes_the_call_the_other_agents() -> None:
    fake, reporter, claimer, desk, agent = conference_with_bea(ConferenceMove.LEAVE)
    assert outcomes(desk) == [TransferOutcome.CONFERENCED, TransferOutcome.ANSWERED]
    assert AGENT in fake.hangups and fake.is_bridged(CUSTOMER, OTHER)
    assert claimer.released == [
        ("alice", AgentRelease.TRANSFERRED),
        ("bea", AgentRelease.TALKED),
    ]
    assert claimer.took == ["bea"]
    assert Milestone.AGENT_TOOK_OVER in [m for m, _ in reporter.progress_seen]
    assert agent == BEA
    assert fake.free_legs() == 4


def test_dropping_the_other_agent_sends_them_to_wrap_up_and_keeps_the_call() -> None:
    fake, _, claimer, desk, agent = conference_with_bea(ConferenceMove.DROP)
    assert outcomes(desk) == [TransferOutcome.CONFERENCED, TransferOutcome.DROPPED]
    assert fake.hangups[0] == OTHER
    assert claimer.released == [
        ("bea", AgentRelease.CONFERENCED),
        ("alice", AgentRelease.TALKED),
    ]
    assert agent == ALICE
    assert fake.free_legs() == 4


def test_the_other_agent_hanging_up_is_a_drop() -> None:
    _, _, claimer, desk, agent = conference_with_bea(
        None, bea=(Ring(0.2), Answer(2.0), RemoteHangup(5.0))
    )
    assert outcomes(desk) == [TransferOutcome.CONFERENCED, TransferOutcome.DROPPED]
    assert claimer.released[0] == ("bea", AgentRelease.CONFERENCED)
    assert agent == ALICE


def test_an_agent_no_longer_ready_is_not_rung_and_the_customer_stays() -> None:
    fake, _, claimer, desk, agent = conference_with_bea(None, ready=False)
    assert outcomes(desk) == [TransferOutcome.NOT_READY]
    assert [r.uri for r in fake.originated] == [CUSTOMER_URI, ALICE.sip_uri]
    assert claimer.joins == [] and agent == ALICE


def test_an_agent_whose_phone_is_busy_is_paused_as_for_a_transfer() -> None:
    _, _, claimer, desk, agent = conference_with_bea(None, bea=(Ring(0.2), Reject(1.0, 486)))
    assert outcomes(desk) == [TransferOutcome.BUSY]
    assert claimer.released[0] == ("bea", AgentRelease.NOT_ANSWERING)
    assert claimer.joins == [] and agent == ALICE


def test_a_consultation_with_an_agent_made_a_three_way_call_puts_them_on_call() -> None:
    fake, _, claimer, desk, agent = conference_with_bea(ConferenceMove.DROP, merge=True)
    assert outcomes(desk) == [
        TransferOutcome.CONSULTING,
        TransferOutcome.CONFERENCED,
        TransferOutcome.DROPPED,
    ]
    merged = fake.bridges.index((AGENT, OTHER))  # consulting first, then the customer too
    assert (CUSTOMER, OTHER) in fake.bridges[merged:]
    assert claimer.joins == ["bea"]
    assert claimer.released[0] == ("bea", AgentRelease.CONFERENCED)
    assert agent == ALICE
    assert fake.free_legs() == 4
