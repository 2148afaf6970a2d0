"""From how a leg ended to what the attempt means for the campaign: a pure classification."""

from __future__ import annotations

from enum import StrEnum

from campaigns.attempt import Outcome
from dialer.telephony.events import EndCause

# The law and common practice: let a phone ring at least 15 s (US: 15 s or 4 rings; UK: 15 s).
MINIMUM_RING_SECONDS = 15.0


class CancelReason(StrEnum):
    RING_TIMEOUT = "ring_timeout"
    SHUTDOWN = "shutdown"


_BY_STATUS: dict[int, Outcome] = {
    486: Outcome.BUSY,
    600: Outcome.BUSY,
    480: Outcome.NO_ANSWER,
    408: Outcome.NO_ANSWER,
    603: Outcome.REJECTED,
    404: Outcome.INVALID_NUMBER,
    484: Outcome.INVALID_NUMBER,
    410: Outcome.INVALID_NUMBER,
    604: Outcome.INVALID_NUMBER,
}


def classify(
    *,
    answered: bool,
    sip_status: int,
    cause: EndCause,
    cancel_reason: CancelReason | None,
    rang: bool = True,
) -> Outcome:
    """Classify the customer leg's end.

    A 408 is "no answer" only when the carrier sent it; our own transaction timer also reports
    408, which means the carrier never answered the INVITE at all (failure, not no-answer).
    Likewise a call we cancel after the ring timeout without ever hearing 180/183 (``rang``
    False) never reached a phone: the network failed, the person did not "not answer".
    """
    if answered:
        return Outcome.ANSWERED
    if cause in {EndCause.TIMEOUT, EndCause.TRANSPORT_ERROR}:
        # Even after our CANCEL: a carrier that never answered the INVITE at all is broken,
        # the number was not "not answering".
        return Outcome.FAILED
    if cancel_reason is CancelReason.RING_TIMEOUT:
        return Outcome.NO_ANSWER if rang else Outcome.FAILED
    if cancel_reason is CancelReason.SHUTDOWN:
        return Outcome.CANCELLED
    if cause is EndCause.REMOTE_REJECTED and sip_status in _BY_STATUS:
        return _BY_STATUS[sip_status]
    # 5xx (congestion), other rejections, our own errors: a failure; sip_status keeps the detail.
    return Outcome.FAILED
