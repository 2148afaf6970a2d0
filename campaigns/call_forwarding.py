"""Call forwarding for agents: where a call offered to an agent goes instead of their phone.

An agent's forwarding (AgentSpec.forward_mode, forward_to) says when: always, when their phone
answers busy, or when it does not answer within FORWARD_NO_ANSWER (the offer's own clock: an
answered outbound call must reach someone within the 2-second connect window, so the forward
has to start well inside it). And where: another phone by its sip: URI (another agent's desk),
or an E.164 number, which goes out through the campaign's trunk and so must be on the
campaign's transfer allow list (campaigns.transfer_destinations: no toll fraud). A number the
campaign does not allow is refused: the call is offered to the agent's own phone as if
forwarding were off, and the reason is logged with the attempt. Inbound queue calls follow the
same rules with the queue's campaign (its allow list and trunk).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from campaigns import transfer_destinations
from campaigns.agents import ForwardMode

FORWARD_NO_ANSWER = timedelta(seconds=1.0)


@dataclass(frozen=True)
class ForwardTarget:
    """Where forwarded calls ring: exactly one of a number (the trunk) or a SIP URI."""

    mode: ForwardMode
    number: str | None = None
    uri: str | None = None
    after: timedelta = FORWARD_NO_ANSWER


def forward_target(
    mode: ForwardMode, forward_to: str | None, allow_list: tuple[str, ...]
) -> tuple[ForwardTarget | None, str | None]:
    """The forwarding that applies to a call of a campaign with ``allow_list``, and why it is
    refused when it is (None, reason); (None, None) when the agent forwards nothing."""
    if mode is ForwardMode.OFF or not forward_to:
        return None, None
    if not is_uri(forward_to):  # a number (validate_agent checked it)
        why = transfer_destinations.refusal(allow_list, forward_to)
        if why is not None:
            return None, f"forwarding refused: {why}"
        return ForwardTarget(mode, number=forward_to), None
    return ForwardTarget(mode, uri=forward_to), None


def setting_problem(
    mode: ForwardMode, forward_to: str | None, allow_lists: dict[str, tuple[str, ...]]
) -> str | None:
    """Why forwarding to a number is pointless for an agent whose campaigns (name -> allow
    list) allow it nowhere: every call would ring their own phone. None when it applies."""
    if mode is ForwardMode.OFF or not forward_to or is_uri(forward_to):
        return None
    if any(forward_target(mode, forward_to, allowed)[0] for allowed in allow_lists.values()):
        return None
    names = ", ".join(sorted(allow_lists)) or "none"
    return (
        f"forward_to: {forward_to} is on no transfer allow list of your campaigns ({names}):"
        " ask a supervisor to allow it, or forward to a sip: URI"
    )


def inbound_forward_target(
    mode: ForwardMode, forward_to: str | None, allow_list: tuple[str, ...], has_trunk: bool
) -> tuple[ForwardTarget | None, str | None]:
    """The forwarding that applies to an inbound queue call: the outbound rules
    (forward_target) with the queue's campaign's allow list, a number going out through that
    campaign's trunk, so refused (None, reason) when the campaign has none; the agent's own
    phone is then offered the call."""
    if mode is not ForwardMode.OFF and forward_to and not has_trunk and not is_uri(forward_to):
        return None, f"forwarding refused: {forward_to}: the queue's campaign has no trunk"
    return forward_target(mode, forward_to, allow_list)


def is_uri(forward_to: str) -> bool:
    """Whether a forward destination is a phone by its SIP URI (else an E.164 number)."""
    return forward_to.startswith(("sip:", "sips:"))
