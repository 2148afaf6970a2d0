"""How to reach a carrier: validated once, then used to build every outbound request."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from dialer.telephony.numbers import E164

_PLACEHOLDER = re.compile(r"\{(\w*)\}")
_ALLOWED_PLACEHOLDERS = {"number", "digits"}
# host[:port] of a SIP URI, enough to reject spaces, headers and parameters smuggled in
_HOSTPORT = re.compile(r"[A-Za-z0-9.\-\[\]:]+")


class TrunkConfigError(ValueError):
    pass


@dataclass(frozen=True)
class DigestCredentials:
    username: str
    password: str = field(repr=False)
    realm: str = "*"  # "*" answers a challenge from any realm

    def __post_init__(self) -> None:
        if not self.username or not self.password:
            raise TrunkConfigError("digest credentials need a username and a password")


@dataclass(frozen=True)
class TrunkConfig:
    """A SIP trunk.

    ``uri_template`` is a SIP URI with exactly one ``{number}`` (E.164 with '+') or
    ``{digits}`` (without '+') in the user part, e.g. ``sip:{number}@carrier.example:5060``.
    """

    name: str
    uri_template: str
    caller_id: E164
    caller_name: str = ""
    outbound_proxy: str | None = None
    credentials: DigestCredentials | None = None
    max_lines: int = 4
    max_calls_per_second: float = 1.0

    def __post_init__(self) -> None:
        if not self.name:
            raise TrunkConfigError("a trunk needs a name")
        names = _PLACEHOLDER.findall(self.uri_template)
        if len(names) != 1 or names[0] not in _ALLOWED_PLACEHOLDERS:
            raise TrunkConfigError(
                f"trunk {self.name}: uri_template needs exactly one {{number}} or {{digits}}"
            )
        scheme, _, rest = self.uri_template.partition(":")
        user, at, hostport = rest.partition("@")
        if scheme not in {"sip", "sips"} or not at or not _PLACEHOLDER.fullmatch(user):
            raise TrunkConfigError(
                f"trunk {self.name}: uri_template must look like sip:{{number}}@host[:port]"
            )
        if not _HOSTPORT.fullmatch(hostport.split(";", 1)[0]):
            raise TrunkConfigError(f"trunk {self.name}: bad host in uri_template")
        if self.outbound_proxy is not None and not self.outbound_proxy.startswith(
            ("sip:", "sips:")
        ):
            raise TrunkConfigError(f"trunk {self.name}: outbound_proxy must be a SIP URI")
        if self.max_lines < 1:
            raise TrunkConfigError(f"trunk {self.name}: max_lines must be at least 1")
        if self.max_calls_per_second <= 0:
            raise TrunkConfigError(f"trunk {self.name}: max_calls_per_second must be positive")
        if any(c in self.caller_name for c in '"\r\n<>'):
            raise TrunkConfigError(f"trunk {self.name}: caller_name has forbidden characters")

    @property
    def host(self) -> str:
        return self.uri_template.partition("@")[2].split(";", 1)[0]

    def request_uri(self, number: E164) -> str:
        """The request URI for ``number``; only an :class:`E164` gets in (toll-fraud rule)."""
        if not isinstance(number, E164):
            raise TypeError("request URIs are built from E164 numbers only")
        return self.uri_template.format(number=number.value, digits=number.digits)

    def from_uri(self) -> str:
        """The From header: our caller ID at the carrier's domain, with a display name."""
        uri = f"sip:{self.caller_id.value}@{self.host}"
        return f'"{self.caller_name}" <{uri}>' if self.caller_name else f"<{uri}>"

    def asserted_identity(self) -> str:
        """P-Asserted-Identity (RFC 3325): the caller ID the carrier should present."""
        return f"<sip:{self.caller_id.value}@{self.host}>"
