"""What telephony reports: past-tense, immutable facts about legs.

Timestamps are wall-clock UTC, taken by the implementation when the fact was observed; the
call-flow state machine only reads them, so it stays a pure function.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import NewType

LegId = NewType("LegId", str)


class EndCause(StrEnum):
    """Who or what ended a leg; the SIP status alone cannot tell a carrier 408 from our timer."""

    REMOTE_REJECTED = "remote_rejected"  # a final response >= 300 from the far end
    REMOTE_HANGUP = "remote_hangup"  # BYE from the far end after answer
    LOCAL_HANGUP = "local_hangup"  # we hung up or cancelled
    TIMEOUT = "timeout"  # no (final) response before the SIP transaction timer
    TRANSPORT_ERROR = "transport_error"  # the request could not be sent


@dataclass(frozen=True)
class LegDialing:
    """The INVITE left; ``sip_call_id`` is the SIP Call-ID, kept for the attempt record."""

    leg: LegId
    at: datetime
    sip_call_id: str


@dataclass(frozen=True)
class LegRinging:
    """A provisional response: 180 (ringing) or 183 (session progress, maybe early media)."""

    leg: LegId
    at: datetime
    status: int
    early_media: bool


@dataclass(frozen=True)
class LegAnswered:
    leg: LegId
    at: datetime


@dataclass(frozen=True)
class LegEnded:
    """The leg is gone and its slot is free again."""

    leg: LegId
    at: datetime
    sip_status: int
    reason: str
    cause: EndCause
    sip_call_id: str
    answered_at: datetime | None


@dataclass(frozen=True)
class PlaybackFinished:
    leg: LegId
    at: datetime
    playback: str


@dataclass(frozen=True)
class DtmfReceived:
    leg: LegId
    at: datetime
    digit: str


@dataclass(frozen=True)
class IncomingLeg:
    """An INVITE arrived (softphone mode); ``headers`` are the ones the caller sent."""

    leg: LegId
    at: datetime
    from_uri: str
    to_uri: str
    headers: tuple[tuple[str, str], ...]
    # The user-agent line it arrived on ("" for the endpoint's own port), see add_line.
    line: str = ""


@dataclass(frozen=True)
class IncomingRefused:
    """An INVITE from an allowed address refused with ``status`` because every slot of the
    process was taken (486): reported so that an inbound service can store the call."""

    at: datetime
    from_uri: str
    to_uri: str
    headers: tuple[tuple[str, str], ...]
    status: int


@dataclass(frozen=True)
class RegistrationChanged:
    """A line's registration with its registrar succeeded, failed or was renewed."""

    line: str
    at: datetime
    registered: bool
    status: int
    reason: str


@dataclass(frozen=True)
class StopRequested:
    """The process is shutting down: give up ringing legs, finish talking ones by ``deadline``."""

    at: datetime
    deadline: datetime


TelephonyEvent = (
    LegDialing
    | LegRinging
    | LegAnswered
    | LegEnded
    | PlaybackFinished
    | DtmfReceived
    | IncomingLeg
    | IncomingRefused
    | RegistrationChanged
    | StopRequested
)
