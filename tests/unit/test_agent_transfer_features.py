"""A transfer to another agent on the call's features: the leg reserved first (none free:
refused, call untouched), the customer on hold while the other agent rings, the call back with
the first agent when it did not happen, and the recording taking in the agent who took over."""

from __future__ import annotations

import pytest

from campaigns.campaign import RecordingMode
from dialer.call_commands import CallCommand, _decode
from dialer.call_features import FeatureRefused
from dialer.call_flow.inputs import AgentTransferRequested
from dialer.call_flow.model import TransferOutcome, TransferReport
from dialer.telephony.events import LegId
from dialer.telephony.requests import OriginateRequest

from .call_features_support import AGENT, CUSTOMER, MUSIC, transferable_call

pytestmark = pytest.mark.unit

BEA_LEG = LegId("7:agent2")


def test_transfer_to_an_agent_reserves_a_leg_holds_the_customer_and_asks_the_call_flow() -> None:
    fake, features, _ = transferable_call()
    features.carry_out(CallCommand.CONSULT_AGENT, agent_id=12)
    assert fake.free_legs() == 1  # customer, agent and the other agent's reserved leg
    assert list(fake.playing.values()) == [(CUSTOMER, MUSIC)]
    request = features.next_request()
    assert isinstance(request, AgentTransferRequested)
    assert (request.agent_id, request.name, request.warm) == ("12", "agent 12", True)
    assert request.reservation is not None
    with pytest.raises(FeatureRefused, match="transfer is under way"):
        features.carry_out(CallCommand.TRANSFER_AGENT, agent_id=13)


def test_no_free_leg_refuses_the_transfer_to_an_agent_and_leaves_the_call_untouched() -> None:
    fake, features, _ = transferable_call()
    others = fake.reserve(2)  # another attempt in the process holds the other two legs
    assert others is not None
    with pytest.raises(FeatureRefused, match="no free line on this worker for a third party"):
        features.carry_out(CallCommand.TRANSFER_AGENT, agent_id=12)
    assert fake.is_bridged(CUSTOMER, AGENT) and fake.playing == {}
    assert features.next_request() is None
    others.release()


def test_the_other_agent_not_ready_gives_the_customer_back_off_hold() -> None:
    fake, features, reports = transferable_call()
    features.carry_out(CallCommand.TRANSFER_AGENT, agent_id=12)
    now = fake.clock.now()
    report = TransferReport("Bea", now, TransferOutcome.NOT_READY, now, "not ready")
    features.transfer_reported(report)
    assert fake.is_bridged(CUSTOMER, AGENT) and fake.playing == {}
    assert reports == [report] and fake.free_legs() == 2
    features.carry_out(CallCommand.HOLD)  # the call is the first agent's again


def test_a_recording_takes_in_the_agent_who_took_the_call_over() -> None:
    fake, features, _ = transferable_call(recording=RecordingMode.ALWAYS)
    features.carry_out(CallCommand.TRANSFER_AGENT, agent_id=12)
    fake.originate(OriginateRequest(BEA_LEG, "sip:t"), fake.open_inbox())
    now = fake.clock.now()
    features.transfer_reported(TransferReport("Bea", now, TransferOutcome.ANSWERED, now))
    fake.bridge(CUSTOMER, BEA_LEG)  # the call flow, on the answer
    features.agent_connected(BEA_LEG)  # the reporter, on AGENT_TOOK_OVER
    [(legs, _)] = fake.recordings.values()
    assert legs == (CUSTOMER, AGENT, BEA_LEG)
    features.carry_out(CallCommand.HOLD)  # the call is Bea's now
    assert not fake.is_bridged(CUSTOMER, BEA_LEG)


def test_an_agent_transfer_command_carries_a_valid_agent_id() -> None:
    raw = (
        '{"command": "transfer_agent", "requested_by": "agent 3", "at": "2026-01-05T10:00:00+00:00"'
    )
    assert _decode(7, raw + "}") is None
    assert _decode(7, raw + ', "agent_id": "12"}') is None
    assert _decode(7, raw + ', "agent_id": 0}') is None
    received = _decode(7, raw + ', "agent_id": 12}')
    assert received is not None and received.agent_id == 12


def test_adding_an_agent_to_the_call_asks_for_a_three_way_call_with_them() -> None:
    fake, features, _ = transferable_call()
    features.carry_out(CallCommand.CONFERENCE_AGENT, agent_id=12)
    assert fake.free_legs() == 1 and list(fake.playing.values()) == [(CUSTOMER, MUSIC)]
    request = features.next_request()
    assert isinstance(request, AgentTransferRequested)
    assert (request.agent_id, request.warm, request.conference) == ("12", False, True)
    now = fake.clock.now()
    features.transfer_reported(TransferReport("Bea", now, TransferOutcome.CONFERENCED, now))
    assert fake.is_bridged(CUSTOMER, AGENT) and fake.playing == {}  # off hold, with the agent
    with pytest.raises(FeatureRefused, match="three-way call is on"):
        features.carry_out(CallCommand.CONFERENCE_AGENT, agent_id=13)
    features.carry_out(CallCommand.CONFERENCE_DROP)  # then leave or drop, as for a number


def test_no_free_leg_refuses_adding_an_agent_and_leaves_the_call_untouched() -> None:
    fake, features, _ = transferable_call()
    others = fake.reserve(2)
    assert others is not None
    with pytest.raises(FeatureRefused, match="no free line on this worker for a third party"):
        features.carry_out(CallCommand.CONFERENCE_AGENT, agent_id=12)
    assert fake.is_bridged(CUSTOMER, AGENT) and fake.playing == {}
    assert features.next_request() is None
    others.release()
