"""Where a caller goes whom no agent took in time (the queue's wait ran out, or the process is
stopping): a callback scheduled for a number we may call back, else a voicemail.

A transferred customer's overflow is the transfer's (dialer.queue_transfer.overflow_of). A
callback needs a dialable number (E.164) with a known time zone, so the calling window can be
checked when it is dialled; any other caller leaves a message instead.
"""

from __future__ import annotations

import logging
import time

from campaigns.storage import inbound_store
from campaigns.storage.inbound_store import InboundOutcome, Overflow, QueueRoute
from dialer.inbound import media
from dialer.inbound.caller_leg import CallerLeg
from dialer.inbound.caller_number import callback_zones, is_e164
from dialer.queue_transfer import overflow_of

log = logging.getLogger(__name__)


def overflow(call: CallerLeg, route: QueueRoute, caller: str) -> InboundOutcome:
    """The caller told and hung up (callback), or their message recorded; the outcome stored."""
    ctx = call.ctx
    call.stop_hold()
    wants_callback = overflow_of(route.overflow, call.from_attempt) is Overflow.CALLBACK
    zones = callback_zones(caller) if wants_callback else ()
    if wants_callback and route.campaign_id is not None and is_e164(caller) and zones:
        with ctx.pool.connection() as conn:
            contact = inbound_store.schedule_callback(
                conn, route.campaign_id, caller, zones, ctx.now()
            )
        log.info("inbound call %s: callback scheduled (contact %s)", call.call_id, contact)
        call.say(media.prompt(ctx.data_dir, media.CALLBACK_PROMPT))
        call.hangup(200)
        return call.finish(InboundOutcome.CALLBACK)
    return voicemail(call)


def voicemail(call: CallerLeg) -> InboundOutcome:
    """The prompt and its tone, then the caller recorded until they hang up (or the limit)."""
    ctx = call.ctx
    if not call.say(media.prompt(ctx.data_dir, media.VOICEMAIL_PROMPT, beep=True)):
        return call.finish(InboundOutcome.ABANDONED)
    target = ctx.data_dir / "voicemail" / f"inbound-{call.call_id}.wav"
    target.parent.mkdir(parents=True, exist_ok=True)
    recording = ctx.telephony.record([call.leg], target)
    until = time.monotonic() + ctx.voicemail_max_s
    while not call.caller_gone and time.monotonic() < until:
        call.drain(min(0.2, max(0.0, until - time.monotonic())))
    ctx.telephony.stop_recording(recording)
    call.hangup(200)
    return call.finish(InboundOutcome.VOICEMAIL, recording_path=str(target))
