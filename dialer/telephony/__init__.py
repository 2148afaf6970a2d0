"""Telephony: a small SIP port (originate, hang up, bridge, play, record, tap, events).

``pjsua2_adapter`` is its only real implementation and the only module that imports pjsua2;
``fake`` serves unit tests. Import the adapter explicitly: importing this package never loads
pjsua2.
"""

from campaigns.attempt import Outcome
from dialer.telephony.capacity import PJSUA2_MAX_CALLS, LegBudget, LegReservation
from dialer.telephony.errors import NoFreeLeg, TelephonyError, UnknownLeg
from dialer.telephony.events import (
    DtmfReceived,
    EndCause,
    IncomingLeg,
    LegAnswered,
    LegDialing,
    LegEnded,
    LegId,
    LegRinging,
    PlaybackFinished,
    StopRequested,
    TelephonyEvent,
)
from dialer.telephony.interface import FrameSink, Inbox, QueueInbox, Telephony
from dialer.telephony.numbers import E164, InvalidNumber
from dialer.telephony.outcomes import MINIMUM_RING_SECONDS, CancelReason, classify
from dialer.telephony.requests import OriginateRequest, SipHeader
from dialer.telephony.trunk import DigestCredentials, TrunkConfig, TrunkConfigError

__all__ = [
    "E164",
    "MINIMUM_RING_SECONDS",
    "PJSUA2_MAX_CALLS",
    "CancelReason",
    "DigestCredentials",
    "DtmfReceived",
    "EndCause",
    "FrameSink",
    "Inbox",
    "IncomingLeg",
    "InvalidNumber",
    "LegAnswered",
    "LegBudget",
    "LegDialing",
    "LegEnded",
    "LegId",
    "LegReservation",
    "LegRinging",
    "NoFreeLeg",
    "OriginateRequest",
    "Outcome",
    "PlaybackFinished",
    "QueueInbox",
    "SipHeader",
    "StopRequested",
    "Telephony",
    "TelephonyError",
    "TelephonyEvent",
    "TrunkConfig",
    "TrunkConfigError",
    "UnknownLeg",
    "classify",
]
