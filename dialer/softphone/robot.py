"""A robot agent, pure: answer, talk for the drawn time, hang up, record the drawn disposition.

idle -> talking (answered; speech plays into the call) -> wrapping (the call ended; the
disposition goes out once the wrap time passes) -> idle (the API took it).

A second call offered while the robot holds one is refused busy (486) and counted: the
dialer must never do that (one agent, one call), so the count is evidence, not routine.
An inbound call (X-Dialer-Inbound) is dispositioned alike, under its id negated (the agent's
call reference). A call with neither header (a test call, a person dialling the robot) is
answered and hung up alike, with nothing to record.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from enum import StrEnum

from dialer.softphone.dice import Draw
from dialer.softphone.screen_pop import screen_pop
from dialer.telephony.events import IncomingLeg, LegEnded, LegId

BUSY = 486


class RobotPhase(StrEnum):
    IDLE = "idle"
    TALKING = "talking"
    WRAPPING = "wrapping"


@dataclass(frozen=True)
class RobotState:
    phase: RobotPhase = RobotPhase.IDLE
    leg: LegId | None = None
    attempt_id: int | None = None
    code: str = ""
    hang_up_at: datetime | None = None
    dispose_at: datetime | None = None
    hung_up: bool = False
    calls: int = 0
    refused_while_busy: int = 0


@dataclass(frozen=True)
class Tick:
    at: datetime


@dataclass(frozen=True)
class DispositionSent:
    """The API recorded the disposition, or gave up on it (logged by the driver)."""

    at: datetime


# Effects


@dataclass(frozen=True)
class AnswerAndTalk:
    """Answer with 200 and play speech into the call until it ends."""

    leg: LegId


@dataclass(frozen=True)
class Refuse:
    leg: LegId
    status: int = BUSY


@dataclass(frozen=True)
class HangUp:
    leg: LegId


@dataclass(frozen=True)
class SubmitDisposition:
    attempt_id: int
    code: str


@dataclass(frozen=True)
class ResumeIfBounced:
    """The call went away before the robot's answer got through (the dialer gave up on the
    agent leg): the dialer paused the agent "phone_not_answering"; go ready again."""


Effect = AnswerAndTalk | Refuse | HangUp | SubmitDisposition | ResumeIfBounced
# What a robot's thread receives: the SIP events of its line, its clock, the API's answer.
Input = IncomingLeg | LegEnded | Tick | DispositionSent
Step = tuple[RobotState, tuple[Effect, ...]]


def offered(state: RobotState, call: IncomingLeg, draw: Draw) -> Step:
    """A call arrives; ``draw`` is what the robot will do with it (drawn outside: pure)."""
    if state.phase is not RobotPhase.IDLE:
        refused = replace(state, refused_while_busy=state.refused_while_busy + 1)
        return refused, (Refuse(call.leg),)
    talking = RobotState(
        phase=RobotPhase.TALKING,
        leg=call.leg,
        attempt_id=screen_pop(call.from_uri, call.headers).call_reference,
        code=draw.code,
        hang_up_at=call.at + timedelta(seconds=draw.talk_s),
        calls=state.calls + 1,
        refused_while_busy=state.refused_while_busy,
    )
    return talking, (AnswerAndTalk(call.leg),)


def ended(state: RobotState, event: LegEnded, wrap: timedelta) -> Step:
    if state.phase is not RobotPhase.TALKING or event.leg != state.leg:
        return state, ()
    if event.answered_at is None:
        return _idle(state), (ResumeIfBounced(),)
    if state.attempt_id is None:
        return _idle(state), ()
    return replace(state, phase=RobotPhase.WRAPPING, dispose_at=event.at + wrap), ()


def tick(state: RobotState, event: Tick) -> Step:
    if state.phase is RobotPhase.TALKING and not state.hung_up:
        assert state.leg is not None and state.hang_up_at is not None
        if event.at >= state.hang_up_at:
            return replace(state, hung_up=True), (HangUp(state.leg),)
    due = state.dispose_at
    if state.phase is RobotPhase.WRAPPING and due is not None and event.at >= due:
        assert state.attempt_id is not None
        return replace(state, dispose_at=None), (SubmitDisposition(state.attempt_id, state.code),)
    return state, ()


def disposition_sent(state: RobotState, event: DispositionSent) -> Step:
    if state.phase is not RobotPhase.WRAPPING:
        return state, ()
    return _idle(state), ()


def next_deadline(state: RobotState) -> datetime | None:
    """When the robot next has something to do without being told (for the driver's wait)."""
    if state.phase is RobotPhase.TALKING and not state.hung_up:
        return state.hang_up_at
    if state.phase is RobotPhase.WRAPPING:
        return state.dispose_at
    return None


def _idle(state: RobotState) -> RobotState:
    return RobotState(calls=state.calls, refused_while_busy=state.refused_while_busy)
