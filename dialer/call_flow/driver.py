"""Runs one attempt: feeds telephony events into the state machine and executes its effects.

Blocking by design (PJSUA2_NOTES.md: a Celery task per attempt that returns only when the
attempt is over is the model that works). Any number of attempts may run in threads of one
process; each has its own inbox, so they never see each other's events.
"""

from __future__ import annotations

import logging
from collections import deque
from collections.abc import Callable
from functools import partial

from dialer.amd import Decision
from dialer.call_flow.detection import Detection, Detector
from dialer.call_flow.effects import (
    AgentJoined,
    AgentTookOver,
    Bridge,
    CancelTimer,
    ClaimAgent,
    Effect,
    Hangup,
    Notify,
    Originate,
    PlayMessage,
    RecordOutcome,
    ReleaseAgent,
    ReportTransfer,
    StartDetection,
    StartTimer,
    StopDetection,
)
from dialer.call_flow.inputs import (
    AgentClaimed,
    AmdVerdict,
    FlowEvent,
    NoAgentAvailable,
    OriginateFailed,
    TimerFired,
)
from dialer.call_flow.machine import AttemptState, start, transition
from dialer.call_flow.model import AttemptResult, AttemptSpec, AttemptSpecError, Phase
from dialer.call_flow.ports import (
    AgentClaimer,
    AttemptReporter,
    CallDesk,
    Clock,
    NoAgents,
    SystemClock,
)
from dialer.call_flow.timers import Timers
from dialer.telephony.capacity import LegReservation
from dialer.telephony.errors import NoFreeLeg, TelephonyError, UnknownLeg
from dialer.telephony.interface import Inbox, Telephony
from dialer.telephony.requests import OriginateRequest

log = logging.getLogger(__name__)

# Wake up at least this often even with no timer due, so a lost event cannot hang an attempt.
_MAX_WAIT_SECONDS = 1.0
# While a detector listens, its verdicts are polled this often (they arrive on another thread).
_DETECTION_POLL_SECONDS = 0.02
# With a call desk, its requests (a transfer) are polled this often while the call is quiet.
_DESK_POLL_SECONDS = 0.1


def run_attempt(
    spec: AttemptSpec,
    telephony: Telephony,
    reporter: AttemptReporter,
    *,
    claimer: AgentClaimer | None = None,
    clock: Clock | None = None,
    reservation: LegReservation | None = None,
    detector: Detector | None = None,
    desk: CallDesk | None = None,
) -> AttemptResult:
    """Place the attempt's call and follow it to its very end; returns the reported result.

    Raises :class:`NoFreeLeg` (nothing dialed, nothing reported) when the process lacks the
    legs it needs, even if pjsua itself refuses the customer's INVITE for want of a slot.
    A spec with answering-machine detection needs a ``detector``. ``desk`` brings the agent's
    requests that change the legs (transfers) into the state machine.
    """
    if spec.amd is not None and detector is None:
        raise AttemptSpecError(f"attempt {spec.attempt_id} asks for AMD but has no detector")
    own_reservation = reservation is None
    if reservation is None:
        reservation = telephony.reserve(spec.legs_needed)
        if reservation is None:
            raise NoFreeLeg(f"attempt {spec.attempt_id} needs {spec.legs_needed} free legs")
    run = _Run(spec, telephony, reporter, claimer or NoAgents(), clock or SystemClock(), detector)
    run.desk = desk
    try:
        return run.loop(reservation)
    finally:
        if own_reservation:
            reservation.release()


class _Run:
    def __init__(
        self,
        spec: AttemptSpec,
        telephony: Telephony,
        reporter: AttemptReporter,
        claimer: AgentClaimer,
        clock: Clock,
        detector: Detector | None,
    ) -> None:
        self.spec = spec
        self.telephony = telephony
        self.reporter = reporter
        self.claimer = claimer
        self.clock = clock
        self.timers = Timers()
        self.result: AttemptResult | None = None
        self.detector = detector
        self.detection: Detection | None = None
        self.detected: deque[FlowEvent] = deque()
        self.desk: CallDesk | None = None
        self.extra_legs: list[LegReservation] = []

    def loop(self, reservation: LegReservation) -> AttemptResult:
        inbox = self.telephony.open_inbox()
        state, effects = start(self.spec, self.clock.now())
        try:
            pending: deque[FlowEvent] = deque()
            while True:
                for effect in effects:
                    pending.extend(self._execute(effect, inbox, reservation))
                if state.phase is Phase.DONE:
                    break
                event = pending.popleft() if pending else self._next_event(inbox)
                if event is not None:
                    state, effects = transition(state, event)
                else:
                    effects = ()
        except BaseException:
            self._hang_up_everything(state)
            raise
        finally:
            self._stop_detection()
            self.telephony.close_inbox(inbox)
            for extra in self.extra_legs:
                extra.release()
        assert self.result is not None
        return self.result

    def _next_event(self, inbox: Inbox) -> FlowEvent | None:
        if self.detection is not None:
            self.detected.extend(self.detection.poll())
        if self.detected:
            return self.detected.popleft()
        if self.desk is not None:
            request = self.desk.next_request()
            if request is not None:
                return request
        now = self.clock.now()
        due = self.timers.pop_due(now)
        if due is not None:
            return TimerFired(due, now)
        wait = self.timers.seconds_until_next(now, default=_MAX_WAIT_SECONDS)
        longest = _MAX_WAIT_SECONDS if self.detection is None else _DETECTION_POLL_SECONDS
        if self.desk is not None:
            longest = min(longest, _DESK_POLL_SECONDS)
        return inbox.get(timeout=min(wait, longest))

    def _start_detection(self, effect: StartDetection) -> list[FlowEvent]:
        assert self.detector is not None
        try:
            self.detection = self.detector.start(effect.leg, effect.policy)
        except TelephonyError as exc:
            # No audio to listen to: not sure, and the campaign's policy for that applies.
            log.warning("attempt %s: AMD not started: %s", self.spec.attempt_id, exc)
            now = self.clock.now()
            return [AmdVerdict(effect.leg, now, Decision.NOT_SURE, "detection failed", 0)]
        return []

    def _stop_detection(self) -> None:
        detection, self.detection = self.detection, None
        if detection is not None:
            detection.stop()

    def _execute(
        self, effect: Effect, inbox: Inbox, reservation: LegReservation
    ) -> list[FlowEvent]:
        attempt = self.spec.attempt_id
        match effect:
            case Originate(request, own, may_take_free_leg):
                try:
                    self._originate(request, inbox, own or reservation, may_take_free_leg)
                except NoFreeLeg:
                    if request.leg == self.spec.customer_leg:
                        raise  # nothing was dialed: the caller may retry elsewhere
                    now = self.clock.now()
                    return [OriginateFailed(request.leg, now, False, "no free leg", True)]
                except TelephonyError as exc:
                    log.warning("attempt %s: cannot originate %s: %s", attempt, request.leg, exc)
                    return [OriginateFailed(request.leg, self.clock.now(), exc.permanent, str(exc))]
            case Hangup(leg):
                self._quietly(lambda: self.telephony.hangup(leg))
            case Bridge(a, b):
                self._quietly(lambda: self.telephony.bridge(a, b))
            case PlayMessage(leg, wav):
                self._quietly(lambda: self.telephony.play(leg, wav))
            case StartTimer(timer, at):
                self.timers.start(timer, at)
            case CancelTimer(timer):
                self.timers.cancel(timer)
            case ClaimAgent(_, only, until):
                agent = self.claimer.claim_agent(attempt, only, until)
                now = self.clock.now()
                return [AgentClaimed(agent, now) if agent else NoAgentAvailable(now)]
            case ReleaseAgent(agent, reason):
                self.claimer.release_agent(agent, reason)
            case AgentTookOver(agent):
                self.claimer.took_over(agent)
            case AgentJoined(agent):
                self.claimer.joined(agent)
            case Notify(milestone, at):
                self.reporter.progress(attempt, milestone, at)
            case StartDetection():
                return self._start_detection(effect)
            case StopDetection():
                self._stop_detection()
            case ReportTransfer(report):
                if self.desk is not None:
                    self.desk.transfer_reported(report)
            case RecordOutcome(result):
                self.result = result
                self.reporter.finished(result)
        return []

    def _originate(
        self,
        request: OriginateRequest,
        inbox: Inbox,
        reservation: LegReservation,
        may_take_free_leg: bool,
    ) -> None:
        try:
            self.telephony.originate(request, inbox, reservation)
        except NoFreeLeg:
            extra = self.telephony.reserve(1) if may_take_free_leg else None
            if extra is None:
                raise
            self.extra_legs.append(extra)  # released with the attempt's own
            self.telephony.originate(request, inbox, extra)

    def _quietly(self, action: Callable[[], object]) -> None:
        """Run a telephony command whose leg may already be gone (its LegEnded is on its way)."""
        try:
            action()
        except UnknownLeg as exc:
            log.info("attempt %s: %s", self.spec.attempt_id, exc)
        except TelephonyError as exc:
            log.warning("attempt %s: telephony command failed: %s", self.spec.attempt_id, exc)

    def _hang_up_everything(self, state: AttemptState) -> None:
        for leg in state.live_legs:
            self._quietly(partial(self.telephony.hangup, leg))
