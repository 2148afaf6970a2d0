"""The pure refusal rules of call features (dialer.call_feature_rules): decided from the call's
state alone, with the reason the agent is shown."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from dialer.call_commands import BadCommand, CallCommand
from dialer.call_feature_rules import (
    FeatureRefused,
    TransferPolicy,
    check_allowed,
    desk_decision,
    transfer_number,
    transfer_queue,
)
from dialer.call_flow.inputs import ConferenceDecided, ConferenceMove, TransferDecided
from dialer.queue_transfer import QueueTarget

pytestmark = pytest.mark.unit

AT = datetime(2026, 11, 27, 12, 0, tzinfo=UTC)


def test_a_transfer_under_way_rules_out_hold_and_another_transfer_but_not_dtmf() -> None:
    with pytest.raises(FeatureRefused, match="transfer is under way"):
        check_allowed(CallCommand.HOLD, transferring=True, conference=False)
    with pytest.raises(FeatureRefused, match="transfer is under way"):
        check_allowed(CallCommand.TRANSFER_QUEUE, transferring=True, conference=False)
    check_allowed(CallCommand.DTMF, transferring=True, conference=False)


def test_a_three_way_call_still_lets_the_agent_unmute() -> None:
    check_allowed(CallCommand.UNMUTE, transferring=False, conference=True)
    with pytest.raises(FeatureRefused, match="three-way call is on"):
        check_allowed(CallCommand.MUTE, transferring=False, conference=True)


def test_desk_decisions_need_something_to_act_on() -> None:
    state = {"transferring": False, "consulting": False, "conference": False}
    for command in (
        CallCommand.CONFERENCE_LEAVE,
        CallCommand.CONFERENCE_MERGE,
        CallCommand.TRANSFER_COMPLETE,
        CallCommand.TRANSFER_CANCEL,
    ):
        with pytest.raises(FeatureRefused):
            desk_decision(command, AT, **state)


def test_desk_decisions_become_the_call_flows_events() -> None:
    on = {"transferring": True, "consulting": True, "conference": True}
    assert desk_decision(CallCommand.CONFERENCE_DROP, AT, **on) == ConferenceDecided(
        ConferenceMove.DROP, AT
    )
    assert desk_decision(CallCommand.CONFERENCE_MERGE, AT, **on) == ConferenceDecided(
        ConferenceMove.MERGE, AT
    )
    assert desk_decision(CallCommand.TRANSFER_COMPLETE, AT, **on) == TransferDecided(True, AT)
    assert desk_decision(CallCommand.TRANSFER_CANCEL, AT, **on) == TransferDecided(False, AT)


def test_a_transfer_goes_only_to_a_number_on_the_allow_list() -> None:
    policy = TransferPolicy(destinations=("+442071234567",))
    assert transfer_number(policy, " +442071234567 ").value == "+442071234567"
    with pytest.raises(FeatureRefused):
        transfer_number(policy, "+14155550100")
    with pytest.raises(BadCommand):
        transfer_number(policy, "sales")


def test_a_queue_transfer_needs_an_inbound_address_and_one_of_the_campaigns_queues() -> None:
    sales = QueueTarget(3, "Sales", "+442071234568")
    with pytest.raises(FeatureRefused, match="DIALER_INBOUND_ADDRESS"):
        transfer_queue(TransferPolicy(queue=lambda queue_id: sales), 3)
    policy = TransferPolicy(
        queue=lambda queue_id: sales if queue_id == 3 else None, inbound_address="10.0.0.5:5080"
    )
    assert transfer_queue(policy, 3) == (sales, "10.0.0.5:5080")
    with pytest.raises(FeatureRefused, match="queue 4"):
        transfer_queue(policy, 4)
    with pytest.raises(FeatureRefused, match="no queue"):
        transfer_queue(policy, None)
