"""The agent's side of a three-way call (dialer.call_features): the third party is reached as
for a transfer (allow list, own leg, the customer on hold meanwhile); once they joined the
customer is back with the agent, and leave or drop go to the call flow."""

from __future__ import annotations

from dataclasses import replace

import pytest

from campaigns.campaign import RecordingMode
from dialer.call_commands import CallCommand
from dialer.call_features import CallFeatures, FeatureRefused
from dialer.call_flow.inputs import ConferenceDecided, ConferenceMove, TransferRequested
from dialer.call_flow.model import TransferOutcome, TransferReport
from dialer.telephony.events import LegId
from dialer.telephony.fake import FakeTelephony
from dialer.telephony.requests import OriginateRequest

from .call_features_support import AGENT, CUSTOMER, MUSIC, THIRD, transferable_call

pytestmark = pytest.mark.unit


def test_adding_a_third_party_reserves_a_leg_and_holds_the_customer_while_it_rings() -> None:
    fake, features, _ = transferable_call()
    features.carry_out(CallCommand.CONFERENCE, destination=THIRD)
    assert fake.free_legs() == 1
    assert list(fake.playing.values()) == [(CUSTOMER, MUSIC)]
    asked = features.next_request()
    assert isinstance(asked, TransferRequested) and asked.conference and not asked.warm


def joined(fake: FakeTelephony, features: CallFeatures) -> TransferReport:
    """The third party was called and answered: the call flow reports them conferenced."""
    features.carry_out(CallCommand.CONFERENCE, destination=THIRD)
    features.next_request()
    now = fake.clock.now()
    report = TransferReport(THIRD, now, TransferOutcome.CONFERENCED, now)
    features.transfer_reported(report)
    return report


def test_once_the_third_party_joined_the_customer_is_back_with_the_agent() -> None:
    fake, features, reports = transferable_call()
    features.carry_out(CallCommand.MUTE)
    report = joined(fake, features)
    assert fake.playing == {} and fake.is_bridged(CUSTOMER, AGENT)
    assert reports == [report]
    for refused in (CallCommand.HOLD, CallCommand.MUTE):
        with pytest.raises(FeatureRefused, match="three-way call is on"):
            features.carry_out(refused)
    with pytest.raises(FeatureRefused, match="three-way call is on"):
        features.carry_out(CallCommand.TRANSFER, destination=THIRD)
    features.carry_out(CallCommand.UNMUTE)  # a mute from before is never stuck
    assert (AGENT, CUSTOMER) not in fake.silenced


def test_leave_and_drop_go_to_the_call_flow_only_during_a_three_way_call() -> None:
    fake, features, _ = transferable_call()
    with pytest.raises(FeatureRefused, match="no three-way call"):
        features.carry_out(CallCommand.CONFERENCE_LEAVE)
    report = joined(fake, features)
    features.carry_out(CallCommand.CONFERENCE_DROP)
    dropped = features.next_request()
    assert isinstance(dropped, ConferenceDecided) and dropped.move is ConferenceMove.DROP
    features.transfer_reported(replace(report, outcome=TransferOutcome.DROPPED))
    features.carry_out(CallCommand.HOLD)  # a two-way call again: everything allowed


def test_no_free_leg_refuses_the_third_party_and_leaves_the_call_alone() -> None:
    fake, features, _ = transferable_call()
    others = fake.reserve(2)
    assert others is not None
    with pytest.raises(FeatureRefused, match="no free line on this worker for a third party"):
        features.carry_out(CallCommand.CONFERENCE, destination=THIRD)
    assert fake.is_bridged(CUSTOMER, AGENT) and fake.playing == {}
    others.release()


def test_a_consultation_is_merged_into_a_three_way_call_only_while_consulting() -> None:
    fake, features, _ = transferable_call()
    with pytest.raises(FeatureRefused, match="no third party is on the line"):
        features.carry_out(CallCommand.CONFERENCE_MERGE)
    features.carry_out(CallCommand.CONSULT, destination=THIRD)
    features.next_request()
    now = fake.clock.now()
    features.transfer_reported(TransferReport(THIRD, now, TransferOutcome.CONSULTING, now))
    features.carry_out(CallCommand.CONFERENCE_MERGE)
    merge = features.next_request()
    assert isinstance(merge, ConferenceDecided) and merge.move is ConferenceMove.MERGE
    features.transfer_reported(TransferReport(THIRD, now, TransferOutcome.CONFERENCED, now))
    assert fake.playing == {} and fake.is_bridged(CUSTOMER, AGENT)  # off hold, all three
    features.carry_out(CallCommand.CONFERENCE_LEAVE)


def test_a_recording_under_way_takes_in_the_third_party_who_joined() -> None:
    fake, features, _ = transferable_call(recording=RecordingMode.ON_DEMAND)
    features.carry_out(CallCommand.RECORD_START)
    features.carry_out(CallCommand.CONFERENCE, destination=THIRD)
    now = fake.clock.now()
    inbox = fake.open_inbox()
    fake.originate(OriginateRequest(LegId("7:transfer1"), "sip:t"), inbox)
    features.transfer_reported(
        TransferReport(THIRD, now, TransferOutcome.CONFERENCED, now, leg=LegId("7:transfer1"))
    )
    [(legs, _)] = fake.recordings.values()
    assert legs == (CUSTOMER, AGENT, LegId("7:transfer1"))
