"""Settings of one process's SIP endpoint; plain data so callers need not import pjsua2."""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass
from enum import StrEnum

from dialer.telephony.capacity import PJSUA2_MAX_CALLS

# RTP and RTCP use two ports per call.
PORTS_PER_LEG = 2
# The RTP ports one process is given: its 4 calls need 8, the rest is slack. pjsua skips a port
# another process on the host holds at that moment (a softphone, a robot, sipp, a test) instead of
# failing the call ("Unable to find appropriate RTP/RTCP ports combination"); with only 8 a live
# run lost agent legs, and with them answered calls, to exactly that.
RTP_PORT_BLOCK = 40


class IncomingCalls(StrEnum):
    REJECT = "reject"  # a dialer worker: nobody may call in (toll-fraud rule)
    NOTIFY = "notify"  # ring (180) and report IncomingLeg; the application answers
    AUTO_ANSWER = "auto_answer"  # answer with 200 at once (softphone robot, test agent)


class AudioDevice(StrEnum):
    """What a phone's answered calls are wired to (dialer workers never use the device)."""

    NULL = "null"  # no sound card (servers, robots): the bridge runs on a clock, no sound
    DEFAULT = "default"  # the system's default microphone and speaker (a PC with a headset)


class EndpointConfigError(ValueError):
    pass


@dataclass(frozen=True)
class EndpointConfig:
    """One pjsua2 endpoint: its own SIP UDP port and RTP port range per process.

    ``sip_port`` 0 lets the OS choose. ``public_address`` is what SDP and Contact advertise
    (default: ``bound_address``). ``allowed_sources`` limits who may send us INVITEs.
    """

    sip_port: int = 0
    rtp_port: int = 0
    # Ports pjsua may take from rtp_port on (RTP and RTCP per call); at least two per leg. More
    # gives slack: pjsua skips a port another process on the host happens to hold instead of
    # failing the call ("Unable to find appropriate RTP/RTCP ports combination").
    rtp_ports: int = 0
    bound_address: str = "127.0.0.1"
    public_address: str = ""
    user: str = "dialer"
    user_agent: str = "predictive-dialer"
    max_legs: int = PJSUA2_MAX_CALLS
    incoming: IncomingCalls = IncomingCalls.REJECT
    allowed_sources: tuple[str, ...] = ("127.0.0.1",)
    audio_device: AudioDevice = AudioDevice.NULL
    log_level: int = 3
    command_timeout: float = 5.0
    shutdown_grace: float = 2.0

    def __post_init__(self) -> None:
        for port in (self.sip_port, self.rtp_port):
            if not 0 <= port <= 65535:
                raise EndpointConfigError(f"port out of range: {port}")
        if not 1 <= self.max_legs <= PJSUA2_MAX_CALLS:
            raise EndpointConfigError(
                f"max_legs must be 1..{PJSUA2_MAX_CALLS} (the pjsua2 wheel's limit)"
            )
        for address in (self.bound_address, self.public_address, *self.allowed_sources):
            if address:
                try:
                    ipaddress.ip_address(address)
                except ValueError as exc:
                    raise EndpointConfigError(f"not an IP address: {address!r}") from exc

    @property
    def advertised_address(self) -> str:
        return self.public_address or self.bound_address or "127.0.0.1"

    @property
    def rtp_port_range(self) -> int:
        return max(self.rtp_ports, self.max_legs * PORTS_PER_LEG)
