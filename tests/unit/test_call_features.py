"""Hold, mute, DTMF and recording on a bridged call, against the in-process fake telephony."""

from __future__ import annotations

from pathlib import Path

import pytest

from campaigns.campaign import RecordingMode
from dialer.call_commands import BadCommand, CallCommand, _decode, check_destination, check_digits
from dialer.call_features import CallFeatures, FeatureRefused, RecordingPolicy
from dialer.call_flow.inputs import TransferDecided, TransferRequested
from dialer.call_flow.model import TransferOutcome, TransferReport
from dialer.telephony.fake import Answer, FakeTelephony
from dialer.telephony.requests import OriginateRequest

from .call_features_support import AGENT, CUSTOMER, MUSIC, THIRD, transferable_call

pytestmark = pytest.mark.unit


def bridged_call(
    mode: RecordingMode = RecordingMode.ON_DEMAND, music: Path | None = MUSIC
) -> tuple[FakeTelephony, CallFeatures, list[str]]:
    fake = FakeTelephony({"sip:c": (Answer(0.1),), "sip:a": (Answer(0.1),)})
    inbox = fake.open_inbox()
    fake.originate(OriginateRequest(CUSTOMER, "sip:c"), inbox)
    fake.originate(OriginateRequest(AGENT, "sip:a"), inbox)
    fake.bridge(CUSTOMER, AGENT)
    stored: list[str] = []
    policy = RecordingPolicy(mode, Path("/data/recordings/a.wav"), "recordings/a.wav")
    features = CallFeatures(fake, CUSTOMER, music, policy, stored.append)
    features.agent_connected(AGENT)
    return fake, features, stored


def test_hold_unbridges_the_agent_and_plays_music_to_the_customer() -> None:
    fake, features, _ = bridged_call()
    features.carry_out(CallCommand.HOLD)
    assert not fake.is_bridged(CUSTOMER, AGENT)
    assert list(fake.playing.values()) == [(CUSTOMER, MUSIC)]
    assert features.held


def test_resume_stops_the_music_and_bridges_again() -> None:
    fake, features, _ = bridged_call()
    features.carry_out(CallCommand.HOLD)
    features.carry_out(CallCommand.RESUME)
    assert fake.is_bridged(CUSTOMER, AGENT)
    assert fake.playing == {}
    assert not features.held


def test_hold_twice_or_resume_without_hold_is_refused() -> None:
    _, features, _ = bridged_call()
    with pytest.raises(FeatureRefused, match="not on hold"):
        features.carry_out(CallCommand.RESUME)
    features.carry_out(CallCommand.HOLD)
    with pytest.raises(FeatureRefused, match="already on hold"):
        features.carry_out(CallCommand.HOLD)


def test_hold_without_music_is_refused_and_the_call_stays_bridged() -> None:
    fake, features, _ = bridged_call(music=None)
    with pytest.raises(FeatureRefused, match="music"):
        features.carry_out(CallCommand.HOLD)
    assert fake.is_bridged(CUSTOMER, AGENT)


def test_mute_silences_only_the_agents_direction() -> None:
    fake, features, _ = bridged_call()
    features.carry_out(CallCommand.MUTE)
    assert fake.silenced == {(AGENT, CUSTOMER)}
    features.carry_out(CallCommand.UNMUTE)
    assert fake.silenced == set()


def test_a_muted_agent_stays_muted_after_hold_and_resume() -> None:
    fake, features, _ = bridged_call()
    features.carry_out(CallCommand.MUTE)
    features.carry_out(CallCommand.HOLD)
    features.carry_out(CallCommand.RESUME)
    assert fake.is_bridged(CUSTOMER, AGENT)
    assert fake.silenced == {(AGENT, CUSTOMER)}


def test_dtmf_goes_to_the_customer() -> None:
    fake, features, _ = bridged_call()
    features.carry_out(CallCommand.DTMF, "1234#")
    assert fake.dtmf_sent == [(CUSTOMER, "1234#")]


def test_nothing_is_done_before_an_agent_talks_on_the_call() -> None:
    fake = FakeTelephony()
    policy = RecordingPolicy(RecordingMode.ALWAYS, Path("/x.wav"), "x.wav")
    features = CallFeatures(fake, CUSTOMER, MUSIC, policy, lambda _: None)
    with pytest.raises(FeatureRefused, match="no agent"):
        features.carry_out(CallCommand.HOLD)


def test_on_demand_recording_records_both_legs_and_stores_its_path() -> None:
    fake, features, stored = bridged_call(RecordingMode.ON_DEMAND)
    assert fake.recordings == {}
    features.carry_out(CallCommand.RECORD_START)
    [(legs, path)] = fake.recordings.values()
    assert legs == (CUSTOMER, AGENT) and path == Path("/data/recordings/a.wav")
    assert stored == ["recordings/a.wav"]
    features.carry_out(CallCommand.RECORD_STOP)
    assert len(fake.stopped_recordings) == 1
    with pytest.raises(FeatureRefused, match="one recording per call"):
        features.carry_out(CallCommand.RECORD_START)


def test_always_records_from_the_agents_answer_and_cannot_be_stopped() -> None:
    fake, features, stored = bridged_call(RecordingMode.ALWAYS)
    assert len(fake.recordings) == 1 and stored == ["recordings/a.wav"]
    with pytest.raises(FeatureRefused, match="every call"):
        features.carry_out(CallCommand.RECORD_STOP)
    features.finish()
    assert len(fake.stopped_recordings) == 1


def test_never_refuses_to_record() -> None:
    fake, features, stored = bridged_call(RecordingMode.NEVER)
    with pytest.raises(FeatureRefused, match="never records"):
        features.carry_out(CallCommand.RECORD_START)
    assert fake.recordings == {} and stored == []


@pytest.mark.parametrize("digits", ["", "12x", "1" * 33])
def test_bad_dtmf_digits_are_refused(digits: str) -> None:
    with pytest.raises(BadCommand):
        check_digits(digits)


def test_a_dtmf_command_with_bad_digits_is_dropped_by_the_listener() -> None:
    raw = '{"command": "dtmf", "requested_by": "agent 1", "at": "2025-01-06T15:00:00+00:00"'
    assert _decode(7, raw + ', "digits": "9;"}') is None
    received = _decode(7, raw + ', "digits": "9#"}')
    assert received is not None and received.digits == "9#"


# -- blind transfer: allow list and leg budget checked before the call is touched -------------


def test_transfer_reserves_a_leg_holds_the_customer_and_asks_the_call_flow() -> None:
    fake, features, _ = transferable_call()
    features.carry_out(CallCommand.TRANSFER, destination=THIRD)
    assert fake.free_legs() == 1  # customer, agent and the third party's reserved leg
    assert list(fake.playing.values()) == [(CUSTOMER, MUSIC)]
    request = features.next_request()
    assert isinstance(request, TransferRequested)
    assert request.destination.value == THIRD and request.reservation is not None
    assert features.next_request() is None
    with pytest.raises(FeatureRefused, match="transfer is under way"):
        features.carry_out(CallCommand.RESUME)


@pytest.mark.parametrize(
    ("destinations", "number", "why"),
    [
        ((), THIRD, "allows no transfers"),
        (("+44207*",), THIRD, "not on this campaign's list"),
    ],
)
def test_a_destination_off_the_allow_list_is_refused_and_the_call_untouched(
    destinations: tuple[str, ...], number: str, why: str
) -> None:
    fake, features, _ = transferable_call(destinations)
    with pytest.raises(FeatureRefused, match=why):
        features.carry_out(CallCommand.TRANSFER, destination=number)
    assert fake.is_bridged(CUSTOMER, AGENT) and fake.playing == {}
    assert fake.free_legs() == 2
    assert features.next_request() is None


def test_a_destination_that_is_no_number_is_a_bad_command() -> None:
    _, features, _ = transferable_call()
    with pytest.raises(BadCommand):
        features.carry_out(CallCommand.TRANSFER, destination="sip:evil@example.com")


def test_no_free_leg_refuses_the_transfer_with_the_reason_and_the_call_untouched() -> None:
    fake, features, _ = transferable_call()
    others = fake.reserve(2)  # another attempt in the process holds the other two legs
    assert others is not None
    with pytest.raises(FeatureRefused, match="no free line on this worker for a third party"):
        features.carry_out(CallCommand.TRANSFER, destination=THIRD)
    assert fake.is_bridged(CUSTOMER, AGENT) and fake.playing == {}
    assert features.next_request() is None
    others.release()


def test_an_unanswered_transfer_gives_the_customer_back_off_hold() -> None:
    fake, features, reports = transferable_call()
    features.carry_out(CallCommand.MUTE)
    features.carry_out(CallCommand.TRANSFER, destination=THIRD)
    now = fake.clock.now()
    report = TransferReport(THIRD, now, TransferOutcome.BUSY, now)
    features.transfer_reported(report)
    assert fake.is_bridged(CUSTOMER, AGENT) and fake.playing == {}
    assert (AGENT, CUSTOMER) in fake.silenced  # still muted
    assert reports == [report]
    assert fake.free_legs() == 2  # the third party's leg is given back
    features.carry_out(CallCommand.HOLD)  # the call is the agent's again


def test_an_answered_transfer_stops_the_music_and_leaves_nothing_for_the_agent() -> None:
    fake, features, _ = transferable_call()
    features.carry_out(CallCommand.TRANSFER, destination=THIRD)
    now = fake.clock.now()
    features.transfer_reported(TransferReport(THIRD, now, TransferOutcome.ANSWERED, now))
    assert fake.playing == {}
    with pytest.raises(FeatureRefused, match="no agent"):
        features.carry_out(CallCommand.HOLD)
    features.finish()
    assert fake.free_legs() == 2


def test_transfer_commands_carry_their_destination_and_refuse_other_text() -> None:
    received = _decode(
        7,
        '{"command": "transfer", "destination": "+14155550199", "requested_by": "agent 1", '
        '"at": "2025-01-06T15:00:00+00:00"}',
    )
    assert received is not None and received.destination == THIRD
    assert check_destination(" +14155550199 ") == THIRD
    with pytest.raises(BadCommand):
        check_destination("0044 20 7946 0000")


def test_consult_then_complete_or_cancel_goes_to_the_call_flow_in_order() -> None:
    fake, features, reports = transferable_call()
    with pytest.raises(FeatureRefused, match="no transfer is under way"):
        features.carry_out(CallCommand.TRANSFER_CANCEL)
    features.carry_out(CallCommand.CONSULT, destination=THIRD)
    asked = features.next_request()
    assert isinstance(asked, TransferRequested) and asked.warm
    with pytest.raises(FeatureRefused, match="no third party is on the line"):
        features.carry_out(CallCommand.TRANSFER_COMPLETE)  # still ringing
    now = fake.clock.now()
    features.transfer_reported(TransferReport(THIRD, now, TransferOutcome.CONSULTING, now))
    assert list(fake.playing.values()) == [(CUSTOMER, MUSIC)]  # the customer stays on hold
    with pytest.raises(FeatureRefused, match="transfer is under way"):
        features.carry_out(CallCommand.RESUME)
    features.carry_out(CallCommand.TRANSFER_COMPLETE)
    decided = features.next_request()
    assert isinstance(decided, TransferDecided) and decided.complete
    features.transfer_reported(TransferReport(THIRD, now, TransferOutcome.CANCELLED, now))
    assert fake.is_bridged(CUSTOMER, AGENT) and fake.playing == {}
    assert not features.transferring
    assert [r.outcome for r in reports] == [TransferOutcome.CONSULTING, TransferOutcome.CANCELLED]
