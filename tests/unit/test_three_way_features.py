"""The agent's side of a three-way call (dialer.call_features): the third party is reached as
for a transfer (allow list, own leg, the customer on hold meanwhile); once they joined the
customer is back with the agent, and leave or drop go to the call flow."""

from __future__ import annotations

import pytest

from dialer.call_commands import CallCommand
from dialer.call_features import FeatureRefused
from dialer.call_flow.inputs import ConferenceDecided, TransferRequested
from dialer.call_flow.model import TransferOutcome, TransferReport

from .test_call_features import AGENT, CUSTOMER, MUSIC, THIRD, transferable_call

pytestmark = pytest.mark.unit


def test_adding_a_third_party_reserves_a_leg_and_holds_the_customer_while_it_rings() -> None:
    fake, features, _ = transferable_call()
    features.carry_out(CallCommand.CONFERENCE, destination=THIRD)
    assert fake.free_legs() == 1
    assert list(fake.playing.values()) == [(CUSTOMER, MUSIC)]
    asked = features.next_request()
    assert isinstance(asked, TransferRequested) and asked.conference and not asked.warm


def test_once_the_third_party_joined_the_customer_is_back_with_the_agent() -> None:
    fake, features, reports = transferable_call()
    features.carry_out(CallCommand.MUTE)
    features.carry_out(CallCommand.CONFERENCE, destination=THIRD)
    now = fake.clock.now()
    joined = TransferReport(THIRD, now, TransferOutcome.CONFERENCED, now)
    features.transfer_reported(joined)
    assert fake.playing == {} and fake.is_bridged(CUSTOMER, AGENT)
    assert reports == [joined]
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
    features.carry_out(CallCommand.CONFERENCE, destination=THIRD)
    features.next_request()
    now = fake.clock.now()
    features.transfer_reported(TransferReport(THIRD, now, TransferOutcome.CONFERENCED, now))
    features.carry_out(CallCommand.CONFERENCE_DROP)
    dropped = features.next_request()
    assert isinstance(dropped, ConferenceDecided) and not dropped.agent_leaves
    features.transfer_reported(TransferReport(THIRD, now, TransferOutcome.DROPPED, now))
    features.carry_out(CallCommand.HOLD)  # a two-way call again: everything allowed


def test_no_free_leg_refuses_the_third_party_and_leaves_the_call_alone() -> None:
    fake, features, _ = transferable_call()
    others = fake.reserve(2)
    assert others is not None
    with pytest.raises(FeatureRefused, match="no free line on this worker for a third party"):
        features.carry_out(CallCommand.CONFERENCE, destination=THIRD)
    assert fake.is_bridged(CUSTOMER, AGENT) and fake.playing == {}
    others.release()
