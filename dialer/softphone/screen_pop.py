"""The screen pop: who is calling, from the INVITE's X-Dialer-* headers (dialer/dialing/spec.py)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

ATTEMPT = "X-Dialer-Attempt"
CAMPAIGN = "X-Dialer-Campaign"
CONTACT = "X-Dialer-Contact"
CONTACT_NAME = "X-Dialer-Contact-Name"
INBOUND = "X-Dialer-Inbound"
CALLER = "X-Dialer-Caller"
# A queued caller the agent accepted while on a call (dialer.agents.call_waiting): the phone
# answers it at once as a second call; the first stays up, held by the worker that owns it.
CALL_WAITING = "X-Dialer-Call-Waiting"


@dataclass(frozen=True)
class ScreenPop:
    caller: str
    contact_name: str = ""
    campaign: str = ""
    contact_id: int | None = None
    attempt_id: int | None = None
    # An inbound call (dialer/inbound/agent_leg.py): its id, and the caller's number.
    inbound_id: int | None = None
    caller_number: str = ""
    call_waiting: bool = False

    @property
    def call_reference(self) -> int | None:
        """The call as the agent's live state names it: the attempt id, or an inbound call's id
        negated (docs/inbound.md); what a disposition is submitted for."""
        if self.attempt_id is not None:
            return self.attempt_id
        return None if self.inbound_id is None else -self.inbound_id

    def lines(self) -> list[str]:
        """What the phone shows, one fact a line; a plain call shows only the caller."""
        shown = [f"caller:   {self.caller}"]
        if self.contact_name:
            shown.append(f"contact:  {self.contact_name}")
        if self.contact_id is not None:
            shown.append(f"contact#: {self.contact_id}")
        if self.campaign:
            shown.append(f"campaign: {self.campaign}")
        if self.attempt_id is not None:
            shown.append(f"attempt:  {self.attempt_id}")
        if self.inbound_id is not None:
            shown.append(f"inbound:  {self.inbound_id} from {self.caller_number}")
        return shown


def _number(text: str) -> int | None:
    return int(text) if text.strip().isdigit() else None


def screen_pop(from_uri: str, headers: Sequence[tuple[str, str]]) -> ScreenPop:
    """Header names compare case-insensitively (RFC 3261); the first of a name wins."""
    found: dict[str, str] = {}
    for name, value in headers:
        found.setdefault(name.lower(), value.strip())
    return ScreenPop(
        caller=from_uri.strip("<>"),
        contact_name=found.get(CONTACT_NAME.lower(), ""),
        campaign=found.get(CAMPAIGN.lower(), ""),
        contact_id=_number(found.get(CONTACT.lower(), "")),
        attempt_id=_number(found.get(ATTEMPT.lower(), "")),
        inbound_id=_number(found.get(INBOUND.lower(), "")),
        caller_number=found.get(CALLER.lower(), ""),
        call_waiting=CALL_WAITING.lower() in found,
    )
