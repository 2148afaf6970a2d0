"""Telephony failures, typed so callers can decide between retry and give up."""

from __future__ import annotations


class TelephonyError(Exception):
    """A telephony operation failed.

    ``permanent`` says whether repeating the same request can succeed: a malformed URI is
    permanent, a full leg budget or a stalled SIP stack is not.
    """

    def __init__(self, message: str, *, permanent: bool, status: int | None = None) -> None:
        super().__init__(message)
        self.permanent = permanent
        self.status = status


class NoFreeLeg(TelephonyError):
    """The process already carries as many legs as pjsua2 allows; try another process."""

    def __init__(self, message: str = "no free leg in this process") -> None:
        super().__init__(message, permanent=False)


class UnknownLeg(TelephonyError):
    """The leg id is not (or no longer) live in this process."""

    def __init__(self, leg: str) -> None:
        super().__init__(f"unknown or ended leg {leg!r}", permanent=True)
