"""The call-features unit tests' legs, hold music and a call ready to transfer."""

from __future__ import annotations

from pathlib import Path

from campaigns.campaign import RecordingMode
from dialer.call_features import CallFeatures, RecordingPolicy, TransferPolicy
from dialer.call_flow.model import TransferReport
from dialer.telephony.events import LegId
from dialer.telephony.fake import Answer, FakeTelephony
from dialer.telephony.requests import OriginateRequest

CUSTOMER, AGENT = LegId("7:customer"), LegId("7:agent1")
MUSIC = Path("/data/messages/hold-music-v1.wav")


THIRD = "+14155550199"


def transferable_call(
    destinations: tuple[str, ...] = ("+1415555XXXX",),
    max_legs: int = 4,
    recording: RecordingMode = RecordingMode.NEVER,
) -> tuple[FakeTelephony, CallFeatures, list[TransferReport]]:
    fake = FakeTelephony(
        {"sip:c": (Answer(0.1),), "sip:a": (Answer(0.1),), "sip:t": (Answer(0.1),)},
        max_legs=max_legs,
    )
    inbox = fake.open_inbox()
    fake.originate(OriginateRequest(CUSTOMER, "sip:c"), inbox)
    fake.originate(OriginateRequest(AGENT, "sip:a"), inbox)
    fake.bridge(CUSTOMER, AGENT)
    reports: list[TransferReport] = []
    policy = RecordingPolicy(recording, Path("/data/r.wav"), "r.wav")
    transfers = TransferPolicy(destinations, reports.append)
    features = CallFeatures(
        fake, CUSTOMER, MUSIC, policy, lambda _: None, transfers, fake.clock.now
    )
    features.agent_connected(AGENT)
    return fake, features, reports
