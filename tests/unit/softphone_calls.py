"""A call ringing on the softphone, as its unit tests build it: its time and dialer headers."""

from __future__ import annotations

from datetime import UTC, datetime

from dialer.telephony.events import IncomingLeg, LegId

T0 = datetime(2026, 11, 26, 15, 0, tzinfo=UTC)
HEADERS = (
    ("Via", "SIP/2.0/UDP 127.0.0.1:5060"),
    ("x-dialer-attempt", "42"),
    ("X-Dialer-Campaign", "Spring renewals"),
    ("X-Dialer-Contact", "1042"),
    ("X-Dialer-Contact-Name", "Ada Lovelace"),
)


def incoming(leg: str = "in-1", headers: tuple[tuple[str, str], ...] = HEADERS) -> IncomingLeg:
    return IncomingLeg(LegId(leg), T0, "<sip:dialer@127.0.0.1>", "<sip:amy@127.0.0.1>", headers)
