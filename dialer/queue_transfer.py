"""A blind transfer of an outbound call to an inbound queue, as a PBX's local channel.

The worker that holds the customer places one more leg, to the inbound processes' SIP address
with the queue's number as the request URI's user part: the inbound side takes it as any
carrier call to that number (answered at once, queued with music and place announcements,
handed to the longest-idle ready agent of the queue's campaign, overflow to voicemail or
callback). The worker bridges the customer to that leg and lets the first agent go.

How the inbound side knows it is the customer of an attempt, not a stranger:
- From carries the customer's number as its user part (a PBX keeps the caller ID), so the
  queue's caller is the customer: the screen pop finds their contact, a callback overflow
  calls them back;
- ``X-Dialer-Queue-Transfer`` carries the attempt id. The inbound process believes it only
  when that attempt is open, of the queue's campaign and called that number
  (``transferred_attempt``); then the inbound call row links to the attempt.

Only queues of the call's own campaign with at least one number can be chosen (the allow
rule): no arbitrary destination, and the queue's agents work the customer's campaign.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import timedelta

from campaigns.storage.inbound_store import Overflow
from dialer.telephony.events import LegId
from dialer.telephony.numbers import E164
from dialer.telephony.requests import OriginateRequest, SipHeader

QUEUE_TRANSFER_HEADER = "X-Dialer-Queue-Transfer"
# The inbound side answers at once (the caller waits in the queue with music, not in ringing):
# no answer by then means nothing takes calls at the inbound address, and the customer is
# given back to the agent sooner than a person's 30 s ring timeout would.
QUEUE_ANSWER_TIMEOUT = timedelta(seconds=8)
# host:port or host (IPv4 or a name); IPv6 in brackets.
_ADDRESS = re.compile(r"(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9.\-]+)(:[0-9]{1,5})?")


class QueueTransferRefused(Exception):
    """The transfer to a queue cannot be made; the message is for the agent."""


@dataclass(frozen=True)
class QueueTarget:
    """An inbound queue a call can be transferred to, and the number that reaches it."""

    queue_id: int
    name: str
    did: str

    @property
    def label(self) -> str:
        """How the agent's notices and the attempt record name it."""
        return f"queue {self.name}"


def check_inbound_address(address: str) -> str:
    """The inbound side's SIP address (host or host:port), or ValueError."""
    text = address.strip()
    if not _ADDRESS.fullmatch(text):
        raise ValueError(f"not a SIP host or host:port: {address!r}")
    return text


def queue_leg(
    leg: LegId, target: QueueTarget, inbound_address: str, attempt_id: str, customer: E164
) -> OriginateRequest:
    """The leg into the queue: its number at the inbound address, the customer's number as
    the caller, the attempt named (X-Dialer-Transfer as every transfer leg has, too)."""
    host = check_inbound_address(inbound_address)
    did = E164(target.did)  # only a number goes into the request URI
    return OriginateRequest(
        leg=leg,
        uri=f"sip:{did.value}@{host}",
        from_uri=f"<sip:{customer.value}@{host}>",
        headers=(
            SipHeader("X-Dialer-Transfer", attempt_id),
            SipHeader(QUEUE_TRANSFER_HEADER, attempt_id),
        ),
    )


def transferred_attempt(headers: tuple[tuple[str, str], ...]) -> int | None:
    """The attempt id an incoming INVITE says it carries the customer of (not yet believed:
    the inbound store checks it against the attempt), or None."""
    wanted = QUEUE_TRANSFER_HEADER.lower()
    for name, value in headers:
        if name.lower() == wanted:
            text = value.strip()
            return int(text) if text.isdigit() and 0 < len(text) <= 18 else None
    return None


def overflow_of(overflow: Overflow, transferred_from: int | None) -> Overflow:
    """The overflow a caller gets once the queue's maximum wait has passed. A customer
    transferred from an attempt gets voicemail instead of a callback: their contact is being
    dialed (the attempt is open) and the first agent's disposition decides what becomes of it,
    so a callback could not be promised."""
    if transferred_from is not None and overflow is Overflow.CALLBACK:
        return Overflow.VOICEMAIL
    return overflow
