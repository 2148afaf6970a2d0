"""The call features of one attempt (dialer.call_features) wired to this process: hold music,
the recording's file and row, the transfer allow list, agents' names and the campaign's queues,
and what the agent is told about a transfer."""

from __future__ import annotations

import logging
from pathlib import Path

import redis

from campaigns.campaign import RecordingMode
from campaigns.storage import attempt_store, inbound_store, recording_store
from campaigns.storage.attempt_store import AttemptToDial
from dialer.call_features import CallFeatures, RecordingPolicy, TransferPolicy
from dialer.call_flow.model import AttemptSpec, TransferOutcome, TransferReport
from dialer.dialing.claimer import Claimer
from dialer.dialing.context import DialContext, notify_agent
from dialer.hold_music import HoldMusicUnavailable, hold_music
from dialer.queue_transfer import QueueTarget

log = logging.getLogger(__name__)


def call_features(
    ctx: DialContext, to_dial: AttemptToDial, spec: AttemptSpec, claimer: Claimer
) -> CallFeatures:
    """Hold, mute, DTMF, recording and transfer for this attempt (dialer.call_features)."""
    try:
        music: Path | None = hold_music(ctx.data_dir)
    except HoldMusicUnavailable as error:  # the call goes on; hold is refused with the reason
        log.error("attempt %s: %s", to_dial.attempt_id, error)
        music = None
    stored_as = f"recordings/campaign-{to_dial.campaign_id}/attempt-{to_dial.attempt_id}.wav"
    policy = RecordingPolicy(RecordingMode(to_dial.recording), ctx.data_dir / stored_as, stored_as)

    def started(path: str) -> None:
        with ctx.pool.connection() as conn:
            recording_store.set_recording_path(conn, to_dial.attempt_id, path)

    def transfer_reported(report: TransferReport) -> None:
        if report.outcome is not TransferOutcome.REFUSED:
            with ctx.pool.connection() as conn:
                attempt_store.record_transfer(
                    conn, to_dial.attempt_id, report.destination, report.requested_at,
                    report.outcome.value,
                )  # fmt: skip
        log.info(
            "attempt %s: transfer to %s: %s %s",
            to_dial.attempt_id,
            report.destination,
            report.outcome,
            report.reason,
        )
        notice = _TRANSFER_NOTICES[report.outcome].format(r=report)
        notify_agent(ctx, to_dial, claimer.current, notice)

    def agent_name(agent_id: int) -> str:
        try:
            return ctx.agents.live.profile_and_status(agent_id)[0].display_name
        except (LookupError, redis.RedisError, ValueError) as error:
            log.info("attempt %s: agent %s: no name: %s", to_dial.attempt_id, agent_id, error)
            return f"agent {agent_id}"

    def queue(queue_id: int) -> QueueTarget | None:
        with ctx.pool.connection() as conn:
            found = inbound_store.transfer_queues(conn, to_dial.campaign_id, queue_id)
        return QueueTarget(found[0].queue_id, found[0].name, found[0].did) if found else None

    transfers = TransferPolicy(
        to_dial.transfer_destinations, transfer_reported, agent_name, queue, ctx.inbound_address
    )
    return CallFeatures(
        ctx.telephony, spec.customer_leg, music, policy, started, transfers, ctx.now
    )


# What the agent reads about their transfer (the call notice on the console).
_TRANSFER_NOTICES = {
    TransferOutcome.ANSWERED: "Transferred to {r.destination}",
    TransferOutcome.BUSY: "{r.destination} is busy: the customer is back with you",
    TransferOutcome.NO_ANSWER: "{r.destination} did not answer: the customer is back with you",
    TransferOutcome.FAILED: "Transfer to {r.destination} failed ({r.reason}): the customer is "
    "back with you",
    TransferOutcome.CUSTOMER_LEFT: "The customer hung up before {r.destination} answered",
    TransferOutcome.REFUSED: "Transfer refused: {r.reason}",
    TransferOutcome.CONSULTING: "{r.destination} answered: you are talking with them, the "
    "customer is on hold. Complete the transfer or cancel it",
    TransferOutcome.CANCELLED: "Transfer to {r.destination} cancelled: the customer is back "
    "with you",
    TransferOutcome.CONFERENCED: "{r.destination} joined: you, the customer and {r.destination} "
    "hear each other. Leave the call to them, or drop {r.destination}",
    TransferOutcome.DROPPED: "{r.destination} left the three-way call: the customer is with you",
    TransferOutcome.NOT_READY: "{r.destination} is no longer ready: the customer is back with you",
}
