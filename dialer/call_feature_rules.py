"""When a call feature is refused, and what a transfer may go to: pure rules over the state of
one call (dialer.call_features carries the commands out on the legs).

Kept apart from the feature state so the refusals read in one place and are decided without a
leg, a lock or a clock: the state and the time are passed in. Every refusal is FeatureRefused
with the reason the agent is shown.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from campaigns.transfer_destinations import refusal as destination_refusal
from dialer.call_commands import CallCommand, check_destination
from dialer.call_flow.inputs import ConferenceDecided, ConferenceMove, FlowEvent, TransferDecided
from dialer.call_flow.model import TransferReport
from dialer.queue_transfer import QueueTarget
from dialer.telephony.numbers import E164, InvalidNumber


class FeatureRefused(Exception):
    """The command cannot be carried out now; the message says why (shown to the agent)."""


@dataclass(frozen=True)
class TransferPolicy:
    """The campaign's allow list, and who hears of a transfer's result (record, agent)."""

    destinations: tuple[str, ...] = ()
    on_report: Callable[[TransferReport], None] = lambda report: None
    # The name an agent is known by (notices about a transfer to them), from their id.
    agent_name: Callable[[int], str] = lambda agent_id: f"agent {agent_id}"
    # A queue the call may go to, by id (the campaign's own, with a number), else None; and
    # where the inbound processes take calls (host:port; None: no transfers to queues).
    queue: Callable[[int], QueueTarget | None] = lambda queue_id: None
    inbound_address: str | None = None


_NOT_WHILE_TRANSFERRING = frozenset(
    {
        CallCommand.HOLD,
        CallCommand.RESUME,
        CallCommand.MUTE,
        CallCommand.UNMUTE,
        CallCommand.TRANSFER,
        CallCommand.CONSULT,
        CallCommand.CONFERENCE,
        CallCommand.TRANSFER_AGENT,
        CallCommand.CONSULT_AGENT,
        CallCommand.TRANSFER_QUEUE,
        CallCommand.CONFERENCE_AGENT,
    }
)
# In a three-way call: hold and mute would act on the customer alone (the third party would
# still hear the agent); a transfer needs the third party gone first. Unmute stays allowed: a
# mute from before the third party joined is never stuck.
_NOT_IN_CONFERENCE = _NOT_WHILE_TRANSFERRING - {CallCommand.UNMUTE}

_MOVES = {
    CallCommand.CONFERENCE_LEAVE: ConferenceMove.LEAVE,
    CallCommand.CONFERENCE_DROP: ConferenceMove.DROP,
}

# The agent's decisions on a transfer or three-way call under way: the call flow carries them
# out on the attempt's thread (dialer.call_features queues them for its CallDesk).
DESK_DECISIONS = frozenset(
    {
        CallCommand.CONFERENCE_LEAVE,
        CallCommand.CONFERENCE_DROP,
        CallCommand.CONFERENCE_MERGE,
        CallCommand.TRANSFER_COMPLETE,
        CallCommand.TRANSFER_CANCEL,
    }
)


def check_allowed(command: CallCommand, *, transferring: bool, conference: bool) -> None:
    """FeatureRefused when a transfer under way or a three-way call rules ``command`` out."""
    if transferring and command in _NOT_WHILE_TRANSFERRING:
        raise FeatureRefused("a transfer is under way: wait for its answer")
    if conference and command in _NOT_IN_CONFERENCE:
        raise FeatureRefused("a three-way call is on: leave it or drop the third party first")


def desk_decision(
    command: CallCommand,
    at: datetime,
    *,
    transferring: bool,
    consulting: bool,
    conference: bool,
) -> FlowEvent:
    """The call flow's event for one of DESK_DECISIONS, or FeatureRefused when the call has
    nothing for it to act on."""
    match command:
        case CallCommand.CONFERENCE_LEAVE | CallCommand.CONFERENCE_DROP:
            if not conference:
                raise FeatureRefused("no three-way call is on")
            return ConferenceDecided(_MOVES[command], at)
        case CallCommand.CONFERENCE_MERGE:
            if not consulting:
                raise FeatureRefused("no third party is on the line to bring in")
            return ConferenceDecided(ConferenceMove.MERGE, at)
        case CallCommand.TRANSFER_COMPLETE:
            if not consulting:
                raise FeatureRefused("no third party is on the line to hand over to")
            return TransferDecided(True, at)
        case CallCommand.TRANSFER_CANCEL:
            if not transferring:
                raise FeatureRefused("no transfer is under way")
            return TransferDecided(False, at)
        case _:
            raise FeatureRefused(f"{command} is not a call feature")


def transfer_number(policy: TransferPolicy, destination: str) -> E164:
    """The external number a transfer goes to: on the campaign's allow list, else refused
    (BadCommand, a ValueError, when it is not a number at all)."""
    number = check_destination(destination)
    why = destination_refusal(policy.destinations, number)
    if why is not None:
        raise FeatureRefused(why)
    try:
        return E164(number)
    except InvalidNumber as bad:
        raise FeatureRefused(str(bad)) from None


def transfer_queue(policy: TransferPolicy, queue_id: int | None) -> tuple[QueueTarget, str]:
    """The inbound queue a transfer goes to and the inbound address to reach it at: one of the
    campaign's queues, with a number, on a worker that knows the address; else refused."""
    if queue_id is None:
        raise FeatureRefused("no queue to transfer to")
    address = policy.inbound_address
    if not address:
        raise FeatureRefused(
            "transfers to queues are not set up on this worker (DIALER_INBOUND_ADDRESS)"
        )
    target = policy.queue(queue_id)
    if target is None:
        raise FeatureRefused(f"queue {queue_id} is not one this campaign transfers to")
    try:
        E164(target.did)
    except InvalidNumber as bad:
        raise FeatureRefused(f"{target.label}: {bad}") from None
    return target, address
