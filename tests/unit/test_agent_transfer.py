"""Transfer to another agent in the call flow, against the fake telephony on its virtual clock:
the other agent is claimed (that agent or nobody), rung on the next agent leg with the screen
pop, and on answer becomes the attempt's agent; otherwise the customer is back with the first."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta

import pytest

from dialer.call_flow import AgentRef, AgentRelease, Milestone, run_attempt
from dialer.call_flow.inputs import AgentTransferRequested, FlowEvent, TransferDecided
from dialer.call_flow.model import TransferOutcome, TransferReport
from dialer.telephony import Outcome
from dialer.telephony.capacity import LegReservation, reserve_feature_leg
from dialer.telephony.fake import Answer, FakeTelephony, Reject, RemoteHangup, Ring

from .agent_transfer_parties import ALICE, BEA
from .call_flow_support import CUSTOMER_URI, Claimer, Reporter, spec

pytestmark = pytest.mark.unit


@dataclass
class Desk:
    """Asks for a transfer to Bea ``after`` seconds of talk; warm ones complete (or cancel)
    ``decide_after`` seconds after Bea answered."""

    fake: FakeTelephony
    reporter: Reporter
    warm: bool = False
    complete: bool = True
    after: float = 3.0
    decide_after: float = 4.0
    asked: bool = False
    decided: bool = False
    reports: list[TransferReport] = field(default_factory=list)
    reservation: LegReservation | None = None

    def next_request(self) -> FlowEvent | None:
        connected = [at for m, at in self.reporter.progress_seen if m is Milestone.AGENT_CONNECTED]
        now = self.fake.clock.now()
        if not connected or now < connected[0] + timedelta(seconds=self.after):
            return None
        if not self.asked:
            self.asked = True
            self.reservation = reserve_feature_leg(self.fake)
            return AgentTransferRequested("bea", "Bea", now, self.reservation, self.warm)
        consulting = [r.at for r in self.reports if r.outcome is TransferOutcome.CONSULTING]
        if self.decided or not consulting:
            return None
        if now < consulting[0] + timedelta(seconds=self.decide_after):
            return None
        self.decided = True
        return TransferDecided(self.complete, now)

    def transfer_reported(self, report: TransferReport) -> None:
        self.reports.append(report)  # as CallFeatures: the reservation goes once decided
        if self.reservation is not None and report.outcome is not TransferOutcome.CONSULTING:
            self.reservation.release()


def transfer_to_bea(
    bea: tuple[Ring | Answer | Reject | RemoteHangup, ...],
    *,
    ready: bool = True,
    warm: bool = False,
    complete: bool = True,
    customer_hangs_up: float = 60.0,
) -> tuple[FakeTelephony, Reporter, Claimer, Desk, Outcome, AgentRef | None]:
    fake = FakeTelephony(
        {
            CUSTOMER_URI: (Ring(0.1), Answer(1.0), RemoteHangup(customer_hangs_up)),
            ALICE.sip_uri: (Answer(0.05),),
            BEA.sip_uri: bea,
        }
    )
    reporter = Reporter()
    claimer = Claimer([ALICE], others={"bea": BEA} if ready else {})
    desk = Desk(fake, reporter, warm=warm, complete=complete)
    result = run_attempt(
        spec(handoff=True), fake, reporter, claimer=claimer, clock=fake.clock, desk=desk
    )
    return fake, reporter, claimer, desk, result.outcome, result.agent


def test_an_answered_transfer_makes_the_other_agent_the_attempts_agent() -> None:
    fake, reporter, claimer, desk, outcome, agent = transfer_to_bea((Ring(0.2), Answer(2.0)))
    bea_invite = fake.originated[2]
    assert bea_invite.leg == "a1:agent2"  # the next agent leg: the reporter names it so
    assert bea_invite.uri == BEA.sip_uri
    assert ("X-Attempt-Id", "a1") in [(h.name, h.value) for h in bea_invite.headers]
    assert ("a1:customer", "a1:agent2") in fake.bridges
    assert "a1:agent1" in fake.hangups
    [report] = desk.reports
    assert report.outcome is TransferOutcome.ANSWERED and report.destination == "Bea"
    # Alice goes to wrap-up at once; Bea talks on and is released (wrap-up) at the end.
    assert claimer.released == [("alice", AgentRelease.TRANSFERRED), ("bea", AgentRelease.TALKED)]
    assert claimer.took == ["bea"]
    assert Milestone.AGENT_TOOK_OVER in [m for m, _ in reporter.progress_seen]
    assert outcome is Outcome.ANSWERED and agent == BEA  # the attempt is Bea's
    assert fake.free_legs() == 4


def test_a_warm_transfer_lets_the_agents_talk_first_then_hands_over() -> None:
    fake, _, claimer, desk, _, agent = transfer_to_bea((Ring(0.2), Answer(2.0)), warm=True)
    assert [r.outcome for r in desk.reports] == [
        TransferOutcome.CONSULTING,
        TransferOutcome.ANSWERED,
    ]
    consulted = fake.bridges.index(("a1:agent1", "a1:agent2"))
    assert ("a1:customer", "a1:agent2") in fake.bridges[consulted:]
    assert claimer.released[0] == ("alice", AgentRelease.TRANSFERRED)
    assert agent == BEA
    assert fake.free_legs() == 4


def test_a_cancelled_warm_transfer_gives_the_customer_back_and_bea_back_to_ready() -> None:
    fake, _, claimer, desk, _, agent = transfer_to_bea(
        (Ring(0.2), Answer(2.0)), warm=True, complete=False
    )
    assert desk.reports[-1].outcome is TransferOutcome.CANCELLED
    assert "a1:agent2" in fake.hangups
    assert claimer.released == [("bea", AgentRelease.UNUSED), ("alice", AgentRelease.TALKED)]
    assert agent == ALICE
    assert fake.free_legs() == 4


@pytest.mark.parametrize(
    "bea",
    [
        (Ring(0.2),),  # our ring timeout cancels it
        (Ring(0.2), Reject(2.0, 486, "Busy Here")),
    ],
)
def test_bea_not_answering_gives_the_customer_back_to_alice(
    bea: tuple[Ring | Reject, ...],
) -> None:
    fake, _, claimer, desk, _, agent = transfer_to_bea(bea)
    [report] = desk.reports
    assert report.back_to_agent and report.destination == "Bea"
    assert ("a1:customer", "a1:agent2") not in fake.bridges
    assert "a1:customer" not in fake.hangups  # Alice kept the call until the customer left
    assert claimer.released == [
        ("bea", AgentRelease.NOT_ANSWERING),  # paused, as any agent whose phone did not answer
        ("alice", AgentRelease.TALKED),
    ]
    assert agent == ALICE
    assert fake.free_legs() == 4


def test_bea_no_longer_ready_gives_the_customer_back_without_ringing_anyone() -> None:
    fake, _, claimer, desk, _, agent = transfer_to_bea((Answer(0.1),), ready=False)
    [report] = desk.reports
    assert report.outcome is TransferOutcome.NOT_READY and report.back_to_agent
    assert BEA.sip_uri not in [r.uri for r in fake.originated]
    assert claimer.released == [("alice", AgentRelease.TALKED)]
    assert agent == ALICE
    assert fake.free_legs() == 4


def test_the_customer_hanging_up_while_bea_rings_sends_bea_back_to_ready() -> None:
    fake, _, claimer, desk, _, agent = transfer_to_bea((Ring(0.2),), customer_hangs_up=6.0)
    [report] = desk.reports
    assert report.outcome is TransferOutcome.CUSTOMER_LEFT
    assert {"a1:agent1", "a1:agent2"} <= set(fake.hangups)
    assert sorted(claimer.released) == [
        ("alice", AgentRelease.TALKED),
        ("bea", AgentRelease.UNUSED),
    ]
    assert agent == ALICE
    assert fake.free_legs() == 4
