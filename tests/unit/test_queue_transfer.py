"""Blind transfer to an inbound queue: the leg into the queue (its number at the inbound
address, the customer's caller ID, the attempt named), the call flow handing the customer over
on the inbound side's answer or giving them back, and the features' refusals."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

import pytest

from campaigns.campaign import RecordingMode
from campaigns.storage.inbound_store import Overflow
from dialer.call_commands import CallCommand, _decode
from dialer.call_features import CallFeatures, FeatureRefused, RecordingPolicy, TransferPolicy
from dialer.call_flow import AgentRef, AgentRelease, Milestone, run_attempt
from dialer.call_flow.inputs import FlowEvent, QueueTransferRequested
from dialer.call_flow.model import TransferOutcome, TransferReport
from dialer.queue_transfer import (
    QUEUE_ANSWER_TIMEOUT,
    QueueTarget,
    overflow_of,
    queue_leg,
    transferred_attempt,
)
from dialer.settings import SettingsError, load_settings
from dialer.telephony import E164, Outcome
from dialer.telephony.capacity import LegReservation, reserve_feature_leg
from dialer.telephony.events import LegId
from dialer.telephony.fake import Answer, FakeTelephony, Reject, RemoteHangup, Ring
from dialer.telephony.requests import OriginateRequest

from .call_features_support import AGENT, CUSTOMER, MUSIC
from .call_flow_support import CUSTOMER_URI, NUMBER, Claimer, Reporter, spec

pytestmark = pytest.mark.unit

ALICE = AgentRef("alice", "sip:alice@127.0.0.1:15070")
HELP = QueueTarget(3, "Help line", "+18005550100")
INBOUND = "127.0.0.1:5080"
QUEUE_URI = "sip:+18005550100@127.0.0.1:5080"


def test_the_queue_leg_calls_the_queue_number_with_the_customer_as_caller() -> None:
    request = queue_leg(LegId("9:transfer1"), HELP, INBOUND, "9", E164("+12025550123"))
    assert request.uri == QUEUE_URI
    assert request.from_uri == "<sip:+12025550123@127.0.0.1:5080>"
    headers = {h.name: h.value for h in request.headers}
    assert headers == {"X-Dialer-Transfer": "9", "X-Dialer-Queue-Transfer": "9"}
    assert request.outbound_proxy is None  # not through the carrier's trunk


def test_a_queue_number_that_is_not_e164_never_reaches_a_request_uri() -> None:
    with pytest.raises(ValueError):
        queue_leg(LegId("9:transfer1"), QueueTarget(3, "x", "100@evil"), INBOUND, "9", NUMBER)
    with pytest.raises(ValueError):
        queue_leg(LegId("9:transfer1"), HELP, "host;transport=tcp", "9", NUMBER)


def test_the_inbound_side_reads_the_attempt_from_the_transfer_header_only() -> None:
    assert transferred_attempt((("x-dialer-queue-transfer", " 42 "),)) == 42
    assert transferred_attempt((("X-Dialer-Queue-Transfer", "42; drop"),)) is None
    assert transferred_attempt((("X-Dialer-Transfer", "42"),)) is None
    assert transferred_attempt(()) is None


def test_the_inbound_address_setting_is_a_host_and_port() -> None:
    assert load_settings({"DIALER_INBOUND_ADDRESS": "10.0.0.5:5080"}).inbound_address == (
        "10.0.0.5:5080"
    )
    assert load_settings({}).inbound_address is None
    with pytest.raises(SettingsError, match="DIALER_INBOUND_ADDRESS"):
        load_settings({"DIALER_INBOUND_ADDRESS": "sip:x@y"})


def test_a_queue_transfer_command_carries_a_valid_queue_id() -> None:
    raw = (
        '{"command": "transfer_queue", "requested_by": "agent 3", "at": "2026-01-05T10:00:00+00:00"'
    )
    assert _decode(7, raw + "}") is None
    assert _decode(7, raw + ', "queue_id": "3"}') is None
    assert _decode(7, raw + ', "queue_id": 0}') is None
    received = _decode(7, raw + ', "queue_id": 3}')
    assert received is not None and received.queue_id == 3


# -- the call flow, on the fake telephony ------------------------------------------------------


@dataclass
class Desk:
    """Asks for the transfer to the queue 3 s into the agent's talk; keeps the reports."""

    fake: FakeTelephony
    reporter: Reporter
    asked: bool = False
    reports: list[TransferReport] = field(default_factory=list)
    reservation: LegReservation | None = None

    def next_request(self) -> FlowEvent | None:
        connected = [at for m, at in self.reporter.progress_seen if m is Milestone.AGENT_CONNECTED]
        now = self.fake.clock.now()
        if self.asked or not connected or now < connected[0] + timedelta(seconds=3):
            return None
        self.asked = True
        self.reservation = reserve_feature_leg(self.fake)
        return QueueTransferRequested(HELP, INBOUND, now, self.reservation)

    def transfer_reported(self, report: TransferReport) -> None:
        self.reports.append(report)
        if self.reservation is not None:
            self.reservation.release()


def queue_call(
    queue: tuple[Ring | Answer | Reject | RemoteHangup, ...], customer_hangs_up: float = 60.0
) -> tuple[FakeTelephony, Claimer, Desk, Outcome]:
    fake = FakeTelephony(
        {
            CUSTOMER_URI: (Ring(0.1), Answer(1.0), RemoteHangup(customer_hangs_up)),
            ALICE.sip_uri: (Answer(0.05),),
            QUEUE_URI: queue,
        }
    )
    reporter, claimer = Reporter(), Claimer([ALICE])
    desk = Desk(fake, reporter)
    result = run_attempt(
        spec(handoff=True), fake, reporter, claimer=claimer, clock=fake.clock, desk=desk
    )
    return fake, claimer, desk, result.outcome


def test_the_queue_answering_takes_the_customer_and_the_agent_goes_to_wrap_up() -> None:
    fake, claimer, desk, outcome = queue_call((Answer(0.05), RemoteHangup(40)))
    invite = fake.originated[2]
    assert invite.uri == QUEUE_URI and invite.from_uri == f"<sip:{NUMBER.value}@{INBOUND}>"
    assert ("a1:customer", "a1:transfer1") in fake.bridges
    assert "a1:agent1" in fake.hangups
    assert claimer.released == [("alice", AgentRelease.TRANSFERRED)]
    [report] = desk.reports
    assert (report.outcome, report.destination) == (TransferOutcome.ANSWERED, "queue Help line")
    # The queue's side hanging up (its agent's call over) ends the customer's call too.
    assert "a1:customer" in fake.hangups
    assert outcome is Outcome.ANSWERED
    assert fake.free_legs() == 4


@pytest.mark.parametrize(
    ("queue", "expected"),
    [
        ((Reject(0.05, 486, "Busy Here"),), TransferOutcome.BUSY),  # inbound process full
        ((Reject(0.05, 404, "Not Found"),), TransferOutcome.FAILED),  # number not routed
        ((Reject(0.05, 403, "Forbidden"),), TransferOutcome.FAILED),  # not an allowed sender
        ((Ring(0.1),), TransferOutcome.NO_ANSWER),  # nobody there: our ring timeout
    ],
)
def test_a_queue_that_does_not_take_the_call_gives_the_customer_back_to_the_agent(
    queue: tuple[Ring | Reject, ...], expected: TransferOutcome
) -> None:
    fake, claimer, desk, outcome = queue_call(queue)
    [report] = desk.reports
    assert report.outcome is expected and report.back_to_agent
    assert "a1:customer" not in fake.hangups  # the customer talked on with the agent
    assert claimer.released == [("alice", AgentRelease.TALKED)]
    assert outcome is Outcome.ANSWERED
    assert fake.free_legs() == 4


# -- the features: what is checked before the call is touched ---------------------------------


def queue_features(
    address: str | None = INBOUND, max_legs: int = 4
) -> tuple[FakeTelephony, CallFeatures]:
    fake = FakeTelephony({"sip:c": (Answer(0.1),), "sip:a": (Answer(0.1),)}, max_legs=max_legs)
    inbox = fake.open_inbox()
    fake.originate(OriginateRequest(CUSTOMER, "sip:c"), inbox)
    fake.originate(OriginateRequest(AGENT, "sip:a"), inbox)
    fake.bridge(CUSTOMER, AGENT)
    transfers = TransferPolicy(
        queue=lambda queue_id: HELP if queue_id == HELP.queue_id else None,
        inbound_address=address,
    )
    policy = RecordingPolicy(RecordingMode.NEVER, Path("/data/r.wav"), "r.wav")
    features = CallFeatures(fake, CUSTOMER, MUSIC, policy, lambda _: None, transfers)
    features.agent_connected(AGENT)
    return fake, features


def test_transfer_to_a_queue_reserves_a_leg_holds_the_customer_and_asks_the_call_flow() -> None:
    fake, features = queue_features()
    features.carry_out(CallCommand.TRANSFER_QUEUE, queue_id=HELP.queue_id)
    assert fake.free_legs() == 1
    assert list(fake.playing.values()) == [(CUSTOMER, MUSIC)]
    request = features.next_request()
    assert isinstance(request, QueueTransferRequested)
    assert (request.queue, request.inbound_address) == (HELP, INBOUND)
    assert request.reservation is not None
    with pytest.raises(FeatureRefused, match="transfer is under way"):
        features.carry_out(CallCommand.TRANSFER_QUEUE, queue_id=HELP.queue_id)


@pytest.mark.parametrize(
    ("address", "queue_id", "why"),
    [
        (INBOUND, 99, "queue 99 is not one this campaign transfers to"),
        (None, HELP.queue_id, "not set up on this worker"),
        (INBOUND, None, "no queue to transfer to"),
    ],
)
def test_a_queue_transfer_that_cannot_be_made_is_refused_with_the_call_untouched(
    address: str | None, queue_id: int | None, why: str
) -> None:
    fake, features = queue_features(address)
    with pytest.raises(FeatureRefused, match=why):
        features.carry_out(CallCommand.TRANSFER_QUEUE, queue_id=queue_id)
    assert fake.is_bridged(CUSTOMER, AGENT) and fake.playing == {}
    assert features.next_request() is None and fake.free_legs() == 2


def test_no_free_leg_refuses_the_queue_transfer_and_leaves_the_call_untouched() -> None:
    fake, features = queue_features()
    others = fake.reserve(2)
    assert others is not None
    with pytest.raises(FeatureRefused, match="no free line on this worker for a third party"):
        features.carry_out(CallCommand.TRANSFER_QUEUE, queue_id=HELP.queue_id)
    assert fake.is_bridged(CUSTOMER, AGENT) and fake.playing == {}
    others.release()


def test_nothing_answering_at_the_inbound_address_gives_the_customer_back_in_8_seconds() -> None:
    _, _, desk, _ = queue_call((Ring(0.1),))
    [report] = desk.reports
    assert report.outcome is TransferOutcome.NO_ANSWER
    assert report.at - report.requested_at == QUEUE_ANSWER_TIMEOUT == timedelta(seconds=8)


def test_a_transferred_customer_overflows_to_voicemail_never_to_a_callback() -> None:
    assert overflow_of(Overflow.CALLBACK, 42) is Overflow.VOICEMAIL
    assert overflow_of(Overflow.VOICEMAIL, 42) is Overflow.VOICEMAIL
    assert overflow_of(Overflow.CALLBACK, None) is Overflow.CALLBACK
