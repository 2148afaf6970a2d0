"""The agent state machine, pure: `transition(status, event) -> (status, effects)`.

logged_out -> paused(login) -> ready -> reserved -> on_call -> wrap_up -> ready, with pauses.

Decisions (the console, the worker and the reports rely on them):
- Logging in leaves the agent paused ("login"): taking calls is the agent's own click.
- A pause or log-out asked for while the agent holds a call (reserved, on call, wrap-up) is noted
  and applies when that call is over: the reservation is never taken back from under a worker
  that is already ringing the agent's phone. Going ready while busy withdraws the request.
- An unused reservation (the customer hung up before the agent answered) puts the agent back in
  the ready queues at their old place (idle_since kept): they waited for nothing. Any other way
  into ready starts a new wait (idle_since = now).
- A phone that does not answer pauses the agent ("phone_not_answering"): offering them the next
  call would only lose it too.
- A preview the agent neither dialed nor skipped in time pauses them ("preview_expired"): they
  walked away or the console closed, so showing them the next contact (or offering them calls of
  another campaign) would only hold it for nobody. A pause or log-out they asked for meanwhile wins.
- Asking for the state one is already in (ready when ready, the same pause, logged out when
  logged out) changes nothing; anything else the state does not allow is refused.
- Times never run backwards: an event stamped before the current state began (clocks of two
  hosts) counts as happening when the state began, so history rows never overlap.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

from campaigns.agent_history import SystemPause
from campaigns.agents import AgentState
from dialer.agents.errors import IllegalTransition, NotHoldingAttempt
from dialer.agents.model import (
    BUSY_STATES,
    AfterCall,
    AfterCallNoted,
    AgentEvent,
    CallConnected,
    CallEnded,
    DispositionSubmitted,
    Effect,
    LiveStatus,
    LoggedIn,
    LoggedOut,
    Paused,
    PhoneNotAnswering,
    PreviewHoldExpired,
    ReservationReleased,
    Reserved,
    StateChanged,
    WentReady,
    WrapUpExpired,
)

Step = tuple[LiveStatus, tuple[Effect, ...]]

_READY, _PAUSED, _OUT = AgentState.READY, AgentState.PAUSED, AgentState.LOGGED_OUT


def transition(status: LiveStatus, event: AgentEvent) -> Step:
    at = max(event.at, status.since)
    match event:
        case LoggedIn(campaigns):
            _require(status, "log in", {_OUT}, "already logged in")
            if not campaigns:
                _refuse(status, "log in", "no campaign chosen")
            return _enter(status, _PAUSED, at, campaigns=campaigns, reason=SystemPause.LOGIN.value)
        case WentReady():
            return _went_ready(status, at)
        case Paused(reason):
            return _paused(status, reason, at)
        case LoggedOut():
            return _logged_out(status, at)
        case Reserved(attempt_id, campaign_id):
            _require(status, "take a call", {_READY}, "only ready agents are offered calls")
            if campaign_id not in status.campaigns:
                _refuse(status, "take a call", f"not working campaign {campaign_id}")
            return _enter(
                status,
                AgentState.RESERVED,
                at,
                attempt_id=attempt_id,
                call_campaign_id=campaign_id,
                idle_since=status.idle_since,
            )
        case CallConnected(attempt_id):
            _holding(status, "connect", AgentState.RESERVED, attempt_id)
            return _call(status, AgentState.ON_CALL, at)
        case CallEnded(attempt_id, limit, _, reason):
            _holding(status, "end the call", AgentState.ON_CALL, attempt_id)
            return _call(status, AgentState.WRAP_UP, at, wrap_up_until=at + limit, reason=reason)
        case ReservationReleased(attempt_id):
            _holding(status, "be released", AgentState.RESERVED, attempt_id)
            return _call_over(status, at, idle_since=status.idle_since)
        case PhoneNotAnswering(attempt_id):
            _holding(status, "be released", AgentState.RESERVED, attempt_id)
            if status.after_call is not None and status.after_call.state is _OUT:
                return _enter(status, _OUT, at, campaigns=frozenset())
            return _enter(status, _PAUSED, at, reason=SystemPause.PHONE_NOT_ANSWERING.value)
        case PreviewHoldExpired(attempt_id):
            _holding(status, "be released", AgentState.RESERVED, attempt_id)
            if status.after_call is not None:
                return _call_over(status, at)
            return _enter(status, _PAUSED, at, reason=SystemPause.PREVIEW_EXPIRED.value)
        case DispositionSubmitted(attempt_id, _, pause_reason):
            _holding(status, "submit a disposition", AgentState.WRAP_UP, attempt_id)
            if pause_reason is not None:
                status = replace(status, after_call=AfterCall(_PAUSED, pause_reason))
            return _call_over(status, at)
        case WrapUpExpired():
            _require(status, "end wrap-up", {AgentState.WRAP_UP}, "not in wrap-up")
            assert status.wrap_up_until is not None
            if at < status.wrap_up_until:
                _refuse(status, "end wrap-up", f"it lasts until {status.wrap_up_until}")
            return _call_over(status, at)


def _went_ready(status: LiveStatus, at: datetime) -> Step:
    if status.state is _READY:
        return status, ()
    if status.state in BUSY_STATES:
        return _note(status, None)
    _require(status, "go ready", {_PAUSED}, "log in first")
    return _enter(status, _READY, at, idle_since=at)


def _paused(status: LiveStatus, reason: str, at: datetime) -> Step:
    if status.state in BUSY_STATES:
        return _note(status, AfterCall(_PAUSED, reason))
    _require(status, "pause", {_READY, _PAUSED}, "log in first")
    if status.state is _PAUSED and status.reason == reason:
        return status, ()
    return _enter(status, _PAUSED, at, reason=reason)


def _logged_out(status: LiveStatus, at: datetime) -> Step:
    if status.state is _OUT:
        return status, ()
    if status.state in BUSY_STATES:
        return _note(status, AfterCall(_OUT))
    return _enter(status, _OUT, at, campaigns=frozenset())


def _call_over(status: LiveStatus, at: datetime, idle_since: datetime | None = None) -> Step:
    """Leave the call for what the agent asked for meanwhile, else for the ready queues."""
    after = status.after_call
    if after is None:
        return _enter(status, _READY, at, idle_since=idle_since or at)
    if after.state is _OUT:
        return _enter(status, _OUT, at, campaigns=frozenset())
    return _enter(status, _PAUSED, at, reason=after.reason)


def _call(
    status: LiveStatus,
    state: AgentState,
    at: datetime,
    wrap_up_until: datetime | None = None,
    reason: str | None = None,
) -> Step:
    """The next state of the same call: attempt, campaign and any after-call request carry on."""
    entered = replace(
        status,
        state=state,
        reason=reason,
        since=at,
        seq=status.seq + 1,
        idle_since=None,
        wrap_up_until=wrap_up_until,
    )
    return entered, (StateChanged(status.state, entered.change()),)


def _enter(
    status: LiveStatus,
    state: AgentState,
    at: datetime,
    *,
    campaigns: frozenset[int] | None = None,
    reason: str | None = None,
    attempt_id: int | None = None,
    call_campaign_id: int | None = None,
    idle_since: datetime | None = None,
) -> Step:
    """A new state: a fresh status (nothing carried over unless given) and its history row."""
    entered = LiveStatus(
        agent_id=status.agent_id,
        state=state,
        since=at,
        seq=status.seq + 1,
        campaigns=status.campaigns if campaigns is None else campaigns,
        reason=reason,
        attempt_id=attempt_id,
        call_campaign_id=call_campaign_id,
        idle_since=idle_since,
    )
    return entered, (StateChanged(status.state, entered.change()),)


def _note(status: LiveStatus, after_call: AfterCall | None) -> Step:
    if status.after_call == after_call:
        return status, ()
    return replace(status, after_call=after_call), (AfterCallNoted(after_call),)


def _require(status: LiveStatus, doing: str, allowed: set[AgentState], why: str) -> None:
    if status.state not in allowed:
        _refuse(status, doing, why)


def _holding(status: LiveStatus, doing: str, state: AgentState, attempt_id: int) -> None:
    if status.state is not state or status.attempt_id != attempt_id:
        holds = f"holds attempt {status.attempt_id}" if status.attempt_id else "holds no call"
        raise NotHoldingAttempt(
            status.agent_id,
            status.state,
            doing,
            f"expected {state.value} with attempt {attempt_id}; {holds}",
        )


def _refuse(status: LiveStatus, doing: str, why: str) -> None:
    raise IllegalTransition(status.agent_id, status.state, doing, why)
