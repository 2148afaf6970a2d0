"""Supervisor listen, whisper and barge: the paths each mode opens, and the supervisor's leg on
a bridged call, against the in-process fake telephony."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from campaigns.campaign import RecordingMode
from dashboard.event_stream import Viewer
from dialer.call_commands import CallCommand
from dialer.call_features import CallFeatures, FeatureRefused, RecordingPolicy
from dialer.call_flow.model import TransferOutcome, TransferReport
from dialer.live_events import EventType, StreamedEvent
from dialer.supervision import AudioPath, Party, SuperviseMode, paths, switch
from dialer.telephony.events import LegId
from dialer.telephony.fake import Answer, FakeTelephony, RemoteHangup
from dialer.telephony.requests import OriginateRequest

pytestmark = pytest.mark.unit

C, A, S = Party.CUSTOMER, Party.AGENT, Party.SUPERVISOR
CUSTOMER, AGENT = LegId("7:customer"), LegId("7:agent1")
SUPERVISOR = LegId("7:customer:supervisor1")
SUE, BOB = "sip:sue@127.0.0.1:5070", "sip:bob@127.0.0.1:5071"


def test_listen_hears_both_sides_and_nobody_hears_the_supervisor() -> None:
    assert paths(SuperviseMode.LISTEN) == {AudioPath(C, S), AudioPath(A, S)}


def test_whisper_reaches_the_agent_and_never_the_customer() -> None:
    whisper = paths(SuperviseMode.WHISPER)
    assert AudioPath(S, A) in whisper and AudioPath(S, C) not in whisper
    assert paths(SuperviseMode.LISTEN) < whisper


def test_barge_lets_everyone_hear_everyone() -> None:
    assert paths(SuperviseMode.BARGE) == {
        AudioPath(C, S),
        AudioPath(A, S),
        AudioPath(S, A),
        AudioPath(S, C),
    }


def test_switching_touches_only_the_paths_that_differ() -> None:
    up = switch(SuperviseMode.LISTEN, SuperviseMode.BARGE)
    assert set(up.start) == {AudioPath(S, A), AudioPath(S, C)} and up.stop == ()
    down = switch(SuperviseMode.BARGE, SuperviseMode.WHISPER)
    assert down.start == () and down.stop == (AudioPath(S, C),)
    gone = switch(SuperviseMode.WHISPER, None)
    assert set(gone.stop) == paths(SuperviseMode.WHISPER) and gone.start == ()


class PathFake(FakeTelephony):
    """The fake, also keeping which one-way paths are open (transmit on/off)."""

    def __init__(self, scripts: dict[str, tuple[object, ...]]) -> None:
        super().__init__(scripts)  # type: ignore[arg-type]
        self.open_paths: set[tuple[LegId, LegId]] = set()

    def transmit(self, source: LegId, to: LegId, on: bool) -> None:
        super().transmit(source, to, on)
        if on:
            self.open_paths.add((source, to))
        else:
            self.open_paths.discard((source, to))


def bridged_call(sue_script: tuple[object, ...] = (Answer(0.1),)) -> tuple[PathFake, CallFeatures]:
    fake = PathFake({"sip:c": (Answer(0.1),), "sip:a": (Answer(0.1),), SUE: sue_script})
    inbox = fake.open_inbox()
    fake.originate(OriginateRequest(CUSTOMER, "sip:c"), inbox)
    fake.originate(OriginateRequest(AGENT, "sip:a"), inbox)
    fake.bridge(CUSTOMER, AGENT)
    policy = RecordingPolicy(RecordingMode.NEVER, Path("/data/r.wav"), "r.wav")
    features = CallFeatures(fake, CUSTOMER, None, policy, lambda path: None)
    features.agent_connected(AGENT)
    return fake, features


def test_listen_rings_the_supervisors_phone_on_a_leg_of_its_own() -> None:
    fake, features = bridged_call()
    features.carry_out(CallCommand.LISTEN, phone=SUE)
    assert fake.originated[-1] == OriginateRequest(SUPERVISOR, SUE)
    assert fake.open_paths == {(CUSTOMER, SUPERVISOR), (AGENT, SUPERVISOR)}
    assert fake.is_bridged(CUSTOMER, AGENT) and fake.free_legs() == 1
    assert features.supervised is SuperviseMode.LISTEN


def test_whisper_then_barge_then_leave_never_touch_the_customer_and_agent_bridge() -> None:
    fake, features = bridged_call()
    features.carry_out(CallCommand.LISTEN, phone=SUE)
    features.carry_out(CallCommand.WHISPER, phone=SUE)
    assert (SUPERVISOR, AGENT) in fake.open_paths
    assert (SUPERVISOR, CUSTOMER) not in fake.open_paths
    features.carry_out(CallCommand.BARGE, phone=SUE)
    assert (SUPERVISOR, CUSTOMER) in fake.open_paths
    assert len(fake.originated) == 3  # one supervisor leg for every mode
    features.carry_out(CallCommand.SUPERVISE_LEAVE)
    assert fake.hangups == [SUPERVISOR] and fake.free_legs() == 2
    assert fake.is_bridged(CUSTOMER, AGENT) and features.supervised is None


def test_no_free_leg_refuses_the_supervisor_and_leaves_the_call_untouched() -> None:
    fake, features = bridged_call()
    others = fake.reserve(2)  # another call in the process holds the other two legs
    assert others is not None
    with pytest.raises(FeatureRefused, match="no free line on this worker"):
        features.carry_out(CallCommand.LISTEN, phone=SUE)
    assert len(fake.originated) == 2 and fake.open_paths == set()
    assert fake.is_bridged(CUSTOMER, AGENT) and features.supervised is None
    others.release()


def test_a_second_supervisor_is_refused_while_one_is_on_the_call() -> None:
    fake, features = bridged_call()
    features.carry_out(CallCommand.LISTEN, phone=SUE)
    with pytest.raises(FeatureRefused, match="another supervisor"):
        features.carry_out(CallCommand.BARGE, phone=BOB)
    assert (SUPERVISOR, CUSTOMER) not in fake.open_paths


def test_a_supervisor_who_hung_up_can_come_back_on_a_new_leg() -> None:
    fake, features = bridged_call((Answer(0.1), RemoteHangup(1.0)))
    features.carry_out(CallCommand.LISTEN, phone=SUE)
    fake.open_inbox().get(2.0)  # time passes: the supervisor hangs up their phone
    assert features.supervised is None and fake.free_legs() == 2
    features.carry_out(CallCommand.LISTEN, phone=SUE)
    assert fake.originated[-1].leg == LegId("7:customer:supervisor2")


def test_leaving_without_a_supervisor_or_listening_before_an_agent_is_refused() -> None:
    _, features = bridged_call()
    with pytest.raises(FeatureRefused, match="no supervisor"):
        features.carry_out(CallCommand.SUPERVISE_LEAVE)
    features.finish()
    with pytest.raises(FeatureRefused, match="no agent"):
        features.carry_out(CallCommand.LISTEN, phone=SUE)


def test_the_end_of_the_call_hangs_up_the_supervisor() -> None:
    fake, features = bridged_call()
    features.carry_out(CallCommand.WHISPER, phone=SUE)
    features.finish()
    assert fake.hangups == [SUPERVISOR]


def test_the_supervisor_can_still_leave_once_the_agent_is_gone() -> None:
    fake, features = bridged_call()
    features.carry_out(CallCommand.LISTEN, phone=SUE)
    now = datetime.now(UTC)
    features.transfer_reported(
        TransferReport("+12025550199", now, TransferOutcome.ANSWERED, now)
    )  # the customer went to a third party: the agent's leg is gone
    features.carry_out(CallCommand.SUPERVISE_LEAVE)
    assert fake.hangups == [SUPERVISOR]


def test_what_the_worker_says_about_a_supervisor_reaches_managers_and_never_the_agent() -> None:
    notice = StreamedEvent(
        "1-0",
        EventType.CALL_NOTICE,
        {"attempt_id": 7, "campaign_id": 3, "agent_id": None, "message": "Listening: ..."},
    )
    assert not Viewer(agent_id=12).sees(notice)
    assert Viewer().sees(notice) and Viewer(campaign_id=3).sees(notice)
