"""What pjsua2 calls us for, on the SIP loop's thread inside ``libHandleEvents``.

The pjsua2 call and account subclasses hold the loop weakly and stop every exception at the
edge; the handlers translate what happened into events for the legs' inboxes and decide nothing.
"""

from __future__ import annotations

import logging
import time
import weakref
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import pjsua2 as pj

from dialer.telephony.endpoint_config import IncomingCalls
from dialer.telephony.errors import NoFreeLeg
from dialer.telephony.events import (
    DtmfReceived,
    EndCause,
    IncomingLeg,
    IncomingRefused,
    LegAnswered,
    LegEnded,
    LegId,
    LegRinging,
    RegistrationChanged,
)
from dialer.telephony.pjsua2_adapter.media import wire_sound
from dialer.telephony.pjsua2_adapter.objects import LegState, pj_error, utc_now
from dialer.telephony.sip_text import parse_headers, request_uri_port, source_ip

if TYPE_CHECKING:
    from dialer.telephony.pjsua2_adapter.loop import SipLoop

log = logging.getLogger("dialer.telephony.pjsua2_adapter")

_MEDIA_UP = {pj.PJSUA_CALL_MEDIA_ACTIVE, pj.PJSUA_CALL_MEDIA_REMOTE_HOLD}
# pjsip's INVITE transaction gives up 64 x T1 = 32 s after sending. A call hung up before any
# response (not even 100) is reported DISCONNECTED at once, but its CANCEL must wait for a
# response, so pjsua's call slot stays busy until that timer: measured, PJ_ETOOMANY otherwise.
INVITE_TIMEOUT_SECONDS = 32.0 + 1.0
# After our BYE or CANCEL the slot is also busy until the peer answers it (milliseconds on a
# healthy network); a peer that never answers holds it up to 32 s, which we cannot observe:
# pjsua2 reports nothing after DISCONNECTED. A short grace covers the healthy case, and a
# PJ_ETOOMANY anyway makes the budget hold one slot for a while (the pjsua truth wins).
HANGUP_GRACE_SECONDS = 0.25


class SipCall(pj.Call):  # type: ignore[misc]
    def __init__(self, loop: SipLoop, account: pj.Account, leg: LegId, call_id: int) -> None:
        super().__init__(account, call_id)
        self._loop = weakref.ref(loop)
        self.leg = leg

    def onCallState(self, prm: Any) -> None:
        self._deliver("call state", lambda loop: on_call_state(loop, self, prm))

    def onCallMediaState(self, prm: Any) -> None:
        self._deliver("media state", lambda loop: on_media_state(loop, self))

    def onDtmfDigit(self, prm: Any) -> None:
        self._deliver("dtmf", lambda loop: on_dtmf(loop, self, str(prm.digit)))

    def _deliver(self, what: str, handler: Callable[[SipLoop], None]) -> None:
        loop = self._loop()
        if loop is None:
            return
        try:
            handler(loop)
        except Exception:  # a callback edge: an escaping exception would abort in C++
            log.exception("leg %s: %s callback failed", self.leg, what)


class SipAccount(pj.Account):  # type: ignore[misc]
    def __init__(self, loop: SipLoop, line: str = "") -> None:
        super().__init__()
        self._loop = weakref.ref(loop)
        self.line = line

    def onRegState(self, prm: Any) -> None:
        loop = self._loop()
        if loop is None:
            return
        try:
            on_reg_state(loop, self, prm)
        except Exception:  # a callback edge
            log.exception("line %s: registration handler failed", self.line)

    def onIncomingCall(self, prm: Any) -> None:
        loop = self._loop()
        if loop is None:
            return
        try:
            on_incoming_call(loop, self, prm)
        except Exception:  # a callback edge
            log.exception("incoming call %s: handler failed", prm.callId)


def on_call_state(loop: SipLoop, call: SipCall, prm: Any) -> None:
    state = loop.legs.get(call.leg)
    if state is None:
        return
    info = call.getInfo()
    now = utc_now()
    status = int(info.lastStatusCode)
    if info.state == pj.PJSIP_INV_STATE_EARLY and not state.incoming:
        if status not in state.provisional_seen:
            state.provisional_seen.add(status)
            state.inbox.put(LegRinging(call.leg, now, status, early_media=False))
    elif info.state == pj.PJSIP_INV_STATE_CONNECTING:
        state.connecting_at = now
    elif info.state == pj.PJSIP_INV_STATE_CONFIRMED:
        state.answered_at = state.connecting_at or now
        state.inbox.put(LegAnswered(call.leg, state.answered_at))
    elif info.state == pj.PJSIP_INV_STATE_DISCONNECTED:
        cause = _end_cause(state, prm.e, status)
        if cause is EndCause.LOCAL_HANGUP:
            silent = not state.incoming and not _got_response(state, prm.e)
            # Hung up before any response: pjsua reports the end now, but the INVITE
            # transaction (and pjsua's call slot) lives on until it times out.
            state.linger_until = (
                state.invite_sent + INVITE_TIMEOUT_SECONDS
                if silent
                else time.monotonic() + HANGUP_GRACE_SECONDS
            )
        loop.ended.append(
            LegEnded(
                call.leg,
                now,
                status,
                str(info.lastReason),
                cause,
                str(info.callIdString) or state.sip_call_id,
                state.answered_at,
            )
        )


def _got_response(state: LegState, event: Any) -> bool:
    """Did our INVITE get any response? A 100 Trying alone is not reported to us (pjsua2
    calls onCallTsxState for INVITE only on sending), so such a call counts as silent and
    its slot is held a little too long, never too short."""
    if state.provisional_seen or state.connecting_at is not None:
        return True
    return bool(
        event.type == pj.PJSIP_EVENT_TSX_STATE and event.body.tsxState.type == pj.PJSIP_EVENT_RX_MSG
    )


def _end_cause(state: LegState, event: Any, status: int) -> EndCause:
    # A timer or transport failure first (pjsip's own 408/503 are not the carrier's).
    kind = event.type
    if kind == pj.PJSIP_EVENT_TSX_STATE:
        kind = event.body.tsxState.type
    if kind == pj.PJSIP_EVENT_TIMER:
        return EndCause.TIMEOUT
    if kind == pj.PJSIP_EVENT_TRANSPORT_ERROR:
        return EndCause.TRANSPORT_ERROR
    if state.hangup_requested:
        return EndCause.LOCAL_HANGUP
    if state.answered_at is not None:
        return EndCause.REMOTE_HANGUP
    return EndCause.REMOTE_REJECTED if status >= 300 else EndCause.REMOTE_HANGUP


def on_media_state(loop: SipLoop, call: SipCall) -> None:
    state = loop.legs.get(call.leg)
    if state is None:
        return
    info = call.getInfo()
    up = any(m.type == pj.PJMEDIA_TYPE_AUDIO and m.status in _MEDIA_UP for m in info.media)
    if up and state.sound:
        try:
            wire_sound(loop, state)
        except pj.Error as exc:
            log.warning("leg %s: sound device: %s", call.leg, pj_error("wire", exc))
    if not up or state.media_up:
        state.media_up = up
        return
    state.media_up = True
    if info.state == pj.PJSIP_INV_STATE_EARLY and not state.incoming:
        status = int(info.lastStatusCode)
        state.inbox.put(LegRinging(call.leg, utc_now(), status, early_media=True))
    pending, state.on_media = state.on_media, []
    for action in pending:
        try:
            action()
        except pj.Error as exc:
            log.warning("leg %s: media action failed: %s", call.leg, pj_error("media", exc))


def on_dtmf(loop: SipLoop, call: SipCall, digit: str) -> None:
    state = loop.legs.get(call.leg)
    if state is not None:
        state.inbox.put(DtmfReceived(call.leg, utc_now(), digit))


def on_incoming_call(loop: SipLoop, account: SipAccount, prm: Any) -> None:
    leg = LegId(f"in-{next(loop.ids)}")
    call = SipCall(loop, account, leg, prm.callId)
    src = source_ip(str(prm.rdata.srcAddress))
    policy = loop.config.incoming
    allowed = policy is not IncomingCalls.REJECT and src in loop.config.allowed_sources
    reply = pj.CallOpParam()
    holds_slot = True
    try:
        loop.budget.take_one()
    except NoFreeLeg:
        holds_slot = False
    # Kept as a leg even when refused: the Call must live until pjsua reports its end.
    state = LegState(call, loop.incoming_inbox, None, incoming=True, holds_slot=holds_slot)
    state.sip_call_id = str(call.getInfo().callIdString)
    loop.legs[leg] = state
    if not holds_slot:
        state.hangup_requested = True
        reply.statusCode = 486
        call.hangup(reply)
        if allowed:
            info = call.getInfo()
            loop.incoming_inbox.put(
                IncomingRefused(
                    utc_now(),
                    str(info.remoteUri),
                    str(info.localUri),
                    parse_headers(str(prm.rdata.wholeMsg)),
                    486,
                )
            )
        return
    if not allowed:
        log.warning("refused an INVITE from %s (incoming policy %s)", src, policy)
        state.hangup_requested = True
        reply.statusCode = 403
        call.hangup(reply)
        return
    whole = str(prm.rdata.wholeMsg)
    info = call.getInfo()
    loop.incoming_inbox.put(
        IncomingLeg(
            leg,
            utc_now(),
            str(info.remoteUri),
            str(info.localUri),
            parse_headers(whole),
            line_for(loop, account, whole),
        )
    )
    reply.statusCode = 200 if policy is IncomingCalls.AUTO_ANSWER else 180
    call.answer(reply)


def line_for(loop: SipLoop, account: SipAccount, whole_message: str) -> str:
    """pjsua picks an account by the request URI's user; a line is also known by the port
    the caller dialled (a user part that matches no line still reaches that line)."""
    if account.line:
        return account.line
    port = request_uri_port(whole_message)
    for name, (_, line) in loop.lines.items():
        if line.sip_port == port:
            return name
    return ""


def on_reg_state(loop: SipLoop, account: SipAccount, prm: Any) -> None:
    status = int(prm.code)
    registered = 200 <= status < 300 and int(prm.expiration) > 0
    loop.incoming_inbox.put(
        RegistrationChanged(account.line, utc_now(), registered, status, str(prm.reason))
    )
