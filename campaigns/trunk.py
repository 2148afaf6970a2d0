"""A SIP trunk: where a campaign's calls go and the limits the carrier sets."""

from __future__ import annotations

import re
from dataclasses import dataclass

from campaigns.errors import ValidationError

_SIP_URI = re.compile(r"^sips?:[^\s<>\"]+$")


@dataclass(frozen=True)
class TrunkSpec:
    name: str
    # The destination URI with {number} where the validated E.164 number goes.
    uri_template: str
    outbound_proxy: str | None = None
    auth_username: str | None = None
    auth_password: str | None = None
    auth_realm: str | None = None
    max_lines: int = 100
    max_cps: float = 10.0


@dataclass(frozen=True)
class Trunk:
    id: int
    spec: TrunkSpec

    @property
    def name(self) -> str:
        return self.spec.name


def validate_trunk(spec: TrunkSpec) -> TrunkSpec:
    problems = []
    if not re.match(r"^[\w][\w.\-]{0,63}$", spec.name):
        problems.append("name: 1-64 letters, digits, '.', '-' or '_'")
    if not _SIP_URI.match(spec.uri_template) or spec.uri_template.count("{number}") != 1:
        problems.append(
            "uri_template: a sip: URI containing {number} once, e.g. sip:{number}@host:5060"
        )
    if spec.outbound_proxy and not _SIP_URI.match(spec.outbound_proxy):
        problems.append("outbound_proxy: a sip: URI, e.g. sip:proxy.example:5060;lr")
    if bool(spec.auth_username) != bool(spec.auth_password):
        problems.append("auth: give both a username and a password, or neither")
    if spec.max_lines < 1:
        problems.append("max_lines: must be at least 1")
    if spec.max_cps <= 0:
        problems.append("max_cps: must be above 0")
    if problems:
        raise ValidationError(problems)
    return spec
