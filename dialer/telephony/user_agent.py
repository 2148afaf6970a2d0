"""Telephony as a phone rather than a dialer: lines, registration, the sound device, mute, hold.

A *line* is one SIP identity on its own UDP port (a softphone has one; a process of robot
agents has one per robot, at most four: the wheel's call limit). It either listens for calls
sent straight to its URI, or registers with a registrar so calls reach it through a PBX.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Protocol

from dialer.telephony.endpoint_config import AudioDevice
from dialer.telephony.events import LegId
from dialer.telephony.interface import Inbox, Telephony

__all__ = ["AudioDevice", "Line", "LineConfig", "Registration", "UserAgent"]

_USER = re.compile(r"[A-Za-z0-9._~+\-]+")
# A registration is renewed before it lapses; registrars refuse very short ones (423).
MIN_REGISTRATION_SECONDS = 60


class UserAgentConfigError(ValueError):
    pass


@dataclass(frozen=True)
class Registration:
    """Register ``user`` with ``registrar`` (a SIP URI, e.g. ``sip:pbx.example.com``)."""

    registrar: str
    user: str
    password: str = ""
    realm: str = "*"
    expires_s: int = 300

    def __post_init__(self) -> None:
        if not self.registrar.startswith(("sip:", "sips:")):
            raise UserAgentConfigError(f"registrar must be a SIP URI: {self.registrar!r}")
        if not _USER.fullmatch(self.user):
            raise UserAgentConfigError(f"bad SIP user {self.user!r}")
        if self.expires_s < MIN_REGISTRATION_SECONDS:
            raise UserAgentConfigError(f"expires_s must be >= {MIN_REGISTRATION_SECONDS}")

    @property
    def domain(self) -> str:
        """The registrar's host: the domain of the address of record (a port is no part of
        an address of record; pjsua drops it from To as well)."""
        host = self.registrar.split(":", 1)[1].split(";", 1)[0].split("@")[-1]
        if host.startswith("["):
            return host.partition("]")[0] + "]"
        return host.rpartition(":")[0] if host.count(":") == 1 else host

    @property
    def address_of_record(self) -> str:
        return f"sip:{self.user}@{self.domain}"


@dataclass(frozen=True)
class LineConfig:
    """One line: ``name`` tags its IncomingLeg events; ``sip_port`` 0 lets the OS choose."""

    name: str
    user: str
    sip_port: int = 0
    registration: Registration | None = None

    def __post_init__(self) -> None:
        if not self.name:
            raise UserAgentConfigError("a line needs a name")
        if not _USER.fullmatch(self.user):
            raise UserAgentConfigError(f"bad SIP user {self.user!r}")
        if not 0 <= self.sip_port <= 65535:
            raise UserAgentConfigError(f"port out of range: {self.sip_port}")


@dataclass(frozen=True)
class Line:
    """A line that is up: its URI is where callers reach it without a registrar."""

    name: str
    user: str
    host: str
    sip_port: int

    @property
    def uri(self) -> str:
        return f"sip:{self.user}@{self.host}:{self.sip_port}"


class UserAgent(Telephony, Protocol):
    """The telephony port plus what a phone needs; the events arrive in ``incoming``."""

    @property
    def incoming(self) -> Inbox:
        """IncomingLeg, RegistrationChanged and the events of incoming legs."""
        ...

    def add_line(self, config: LineConfig) -> Line: ...

    def use_sound_device(self, leg: LegId) -> None:
        """Wire the leg to the microphone and speaker (both ways), now or once it has media."""
        ...

    def mute(self, leg: LegId, muted: bool) -> None:
        """Stop (or resume) sending the microphone to the leg; the speaker stays on."""
        ...

    def hold(self, leg: LegId, held: bool) -> None:
        """Put the call on hold (re-INVITE, sendonly) or take it off hold."""
        ...
