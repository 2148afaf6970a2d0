"""Commands for a running attempt (the console's and the supervisors'), carried out on its
legs while the call flow runs on the attempt's own thread."""

from __future__ import annotations

import logging
from contextlib import AbstractContextManager, nullcontext

from dialer.call_commands import SUPERVISING, CallCommand, CommandReceived
from dialer.call_features import CallFeatures, FeatureRefused
from dialer.call_flow.model import AttemptSpec
from dialer.dialing.context import DialContext, notify_agent
from dialer.dialing.reporter import Reporter
from dialer.telephony import TelephonyError

log = logging.getLogger(__name__)

# What supervisors read when the worker carried out a supervisor's command.
_SUPERVISION_NOTICES = {
    CallCommand.LISTEN: "Listening: {phone} hears the customer and the agent",
    CallCommand.WHISPER: "Whispering: the agent hears {phone}, the customer does not",
    CallCommand.BARGE: "Barged in: everyone hears {phone}",
    CallCommand.SUPERVISE_LEAVE: "The supervisor left the call",
}


def taking_commands(
    ctx: DialContext, spec: AttemptSpec, reporter: Reporter, features: CallFeatures
) -> AbstractContextManager[None]:
    """While the attempt runs, a hang-up from the console hangs up the customer's leg; the call
    flow then sees the leg end as it sees any hang-up (agent released to wrap-up, outcome).
    Every other command is a call feature (hold, mute, DTMF, recording) on the live legs."""
    if ctx.commands is None:
        return nullcontext()

    def carry_out(received: CommandReceived) -> None:
        if received.command is not CallCommand.HANGUP:
            log.info(
                "attempt %s: %s asked by %s",
                spec.attempt_id,
                received.command,
                received.requested_by,
            )
            # A supervisor's command is told to supervisors only (no agent id: agents' streams
            # never see it), so listening in stays discreet, refused or not.
            supervising = received.command in SUPERVISING
            told = None if supervising else reporter.agent_id
            try:
                features.carry_out(
                    received.command,
                    received.digits,
                    received.destination,
                    received.phone,
                    received.agent_id,
                    received.queue_id,
                )
            except (FeatureRefused, TelephonyError, ValueError) as refused:
                log.warning(
                    "attempt %s: %s refused: %s", spec.attempt_id, received.command, refused
                )
                notice = f"{received.command.value} refused: {refused}"
                notify_agent(ctx, reporter.to_dial, told, notice)
                return
            if supervising:
                notice = _SUPERVISION_NOTICES[received.command].format(phone=received.phone)
                notify_agent(ctx, reporter.to_dial, told, notice)
            return
        log.info("attempt %s: hang-up asked by %s", spec.attempt_id, received.requested_by)
        before = reporter.hangup_by
        reporter.hangup_by = "agent" if received.requested_by.startswith("agent") else "dialer"
        try:
            ctx.telephony.hangup(spec.customer_leg)
        except TelephonyError as gone:  # already ending: its LegEnded is on its way
            reporter.hangup_by = before
            log.info("attempt %s: hang-up not needed: %s", spec.attempt_id, gone)

    return ctx.commands.listening(int(spec.attempt_id), carry_out)
