"""What a caller asks telephony to do when it originates a leg."""

from __future__ import annotations

import re
from dataclasses import dataclass

from dialer.telephony.events import LegId
from dialer.telephony.numbers import E164
from dialer.telephony.trunk import DigestCredentials, TrunkConfig

_HEADER_NAME = re.compile(r"[A-Za-z0-9\-]+")


@dataclass(frozen=True)
class SipHeader:
    """An extra header; values with line breaks are refused (header injection)."""

    name: str
    value: str

    def __post_init__(self) -> None:
        if not _HEADER_NAME.fullmatch(self.name):
            raise ValueError(f"bad SIP header name {self.name!r}")
        if "\r" in self.value or "\n" in self.value:
            raise ValueError(f"line break in SIP header {self.name}")


@dataclass(frozen=True)
class OriginateRequest:
    """One outbound leg. ``leg`` is chosen by the caller so call flows stay deterministic."""

    leg: LegId
    uri: str
    from_uri: str | None = None
    headers: tuple[SipHeader, ...] = ()
    outbound_proxy: str | None = None
    credentials: DigestCredentials | None = None

    @classmethod
    def to_number(
        cls,
        leg: LegId,
        trunk: TrunkConfig,
        number: E164,
        headers: tuple[SipHeader, ...] = (),
    ) -> OriginateRequest:
        """A leg to a phone number through ``trunk``: caller ID in From and P-Asserted-Identity."""
        pai = SipHeader("P-Asserted-Identity", trunk.asserted_identity())
        return cls(
            leg=leg,
            uri=trunk.request_uri(number),
            from_uri=trunk.from_uri(),
            headers=(pai, *headers),
            outbound_proxy=trunk.outbound_proxy,
            credentials=trunk.credentials,
        )
