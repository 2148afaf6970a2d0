"""The transfer unit tests' agent and third party, and the desks that ask for transfers."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta

from dialer.call_flow import AgentRef, Milestone
from dialer.call_flow.inputs import FlowEvent, TransferDecided, TransferRequested
from dialer.call_flow.model import TransferOutcome, TransferReport
from dialer.telephony import E164
from dialer.telephony.capacity import LegReservation, reserve_feature_leg
from dialer.telephony.fake import FakeTelephony

from .call_flow_support import TRUNK, Reporter

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
