"""One call attempt from the worker's side: claim it, dial it, hand it to an agent, record it.

`dial_attempt` is the whole body of the Celery dial task. The compare-and-set on the attempt row
(queued -> dialing, committed before the INVITE) is what makes a redelivered or duplicated task
harmless; everything after it runs the pure call flow (dialer.call_flow) against the process's
telephony, with ports that write Postgres, publish live events and claim agents in Redis.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

import redis
from psycopg_pool import ConnectionPool

from campaigns.amd_policy import AmdMode, samples_machine_verdict
from campaigns.attempt import AttemptState, Outcome
from campaigns.campaign import RecordingMode
from campaigns.storage import attempt_store, inbound_store, recording_store
from campaigns.storage.attempt_store import AttemptResult as StoredResult
from campaigns.storage.attempt_store import AttemptToDial
from campaigns.storage.campaign_store import amd_from_json
from dialer import live_events
from dialer.abandon_message import MessageUnavailable, message_for
from dialer.agent_forwarding import forwarding_for
from dialer.agents.service import AgentService, HandBack
from dialer.amd import Decision
from dialer.call_commands import SUPERVISING, CallCommand, CallCommandListener, CommandReceived
from dialer.call_features import CallFeatures, FeatureRefused, RecordingPolicy, TransferPolicy
from dialer.call_flow import run_attempt
from dialer.call_flow.amd_policy import AmdPolicy, detector_settings
from dialer.call_flow.detection import Detector
from dialer.call_flow.model import (
    AgentRef,
    AgentRelease,
    AttemptResult,
    AttemptSpec,
    HandoffPolicy,
    Milestone,
    TransferOutcome,
    TransferReport,
)
from dialer.hold_music import HoldMusicUnavailable, hold_music
from dialer.queue_transfer import QueueTarget
from dialer.telephony import NoFreeLeg, Telephony, TelephonyError
from dialer.telephony.capacity import LegReservation
from dialer.telephony.events import LegId
from dialer.telephony.numbers import E164
from dialer.telephony.requests import SipHeader
from dialer.telephony.trunk import DigestCredentials, TrunkConfig

log = logging.getLogger(__name__)

# How long a dial task waits for its legs before giving the attempt back undialed.
LEG_WAIT_S = 1.5


@dataclass
class DialContext:
    """What one worker process shares between its dial tasks."""

    worker: str
    pool: ConnectionPool
    redis: redis.Redis
    telephony: Telephony
    agents: AgentService
    data_dir: Path
    now: Callable[[], datetime]
    # Attempts running in this process right now (the heartbeat's free-line count).
    running: int = 0
    _lock: threading.Lock = field(default_factory=threading.Lock)
    # Commands for running calls (the console's hang-up); None: this process takes none.
    commands: CallCommandListener | None = None
    # Answering-machine detection of this process; None: campaigns with AMD on fail to dial.
    detector: Detector | None = None
    # Where the inbound processes take calls (host:port): transfers to queues; None: refused.
    inbound_address: str | None = None

    def enter(self) -> None:
        with self._lock:
            self.running += 1

    def leave(self) -> None:
        with self._lock:
            self.running -= 1


def dial_attempt(attempt_id: int, ctx: DialContext) -> Outcome | None:
    """Place the attempt's call and follow it to its end; None if it was not ours to dial."""
    with ctx.pool.connection() as conn:
        to_dial = attempt_store.begin_dialing(conn, attempt_id, ctx.worker, ctx.now())
    if to_dial is None:
        log.info("attempt %s: already taken, ended or expired; nothing to do", attempt_id)
        return None
    ctx.enter()
    try:
        return _dial(to_dial, ctx)
    except Exception:
        # The task's edge: whatever broke, the attempt must not stay open with its contact held
        # (its worker is alive, so the reaper would never close it). Closing is idempotent.
        log.exception("attempt %s (campaign %s) failed", attempt_id, to_dial.campaign_id)
        _finish(ctx, attempt_id, StoredResult(Outcome.FAILED, sip_reason="dialer error"))
        raise
    finally:
        ctx.leave()


def _dial(to_dial: AttemptToDial, ctx: DialContext) -> Outcome:
    attempt_id = to_dial.attempt_id
    try:
        spec = _spec(to_dial, ctx.data_dir)
    except (ValueError, TelephonyError, OSError, MessageUnavailable) as error:
        # A number or trunk we cannot dial, or no abandonment message: nothing goes out.
        log.error(
            "attempt %s (campaign %s): not dialed: %s", attempt_id, to_dial.campaign_id, error
        )
        _finish(ctx, attempt_id, StoredResult(Outcome.FAILED, sip_reason=f"not dialed: {error}"))
        return Outcome.FAILED
    claimer = _Claimer(ctx, to_dial)
    reporter = _Reporter(ctx, to_dial, claimer)
    features = reporter.features = _features(ctx, to_dial, spec, claimer)
    reporter.agent_leg = spec.agent_leg
    reservation = _reserve_legs(ctx.telephony, spec.legs_needed)
    try:
        if reservation is None:
            raise NoFreeLeg(f"attempt {attempt_id} found no {spec.legs_needed} free legs")
        with _taking_commands(ctx, spec, reporter, features):
            run_attempt(
                spec,
                ctx.telephony,
                reporter,
                claimer=claimer,
                reservation=reservation,
                detector=ctx.detector,
                desk=features,
            )
    except NoFreeLeg as error:
        # Nothing was dialed: give the contact back untouched (expired = never dialed).
        log.warning("attempt %s: %s", attempt_id, error)
        _finish(ctx, attempt_id, StoredResult(Outcome.EXPIRED, sip_reason=str(error)))
        return Outcome.EXPIRED
    finally:
        features.finish()  # completes the recording's WAV, if there is one
        if reservation is not None:
            reservation.release()
        # Agents who talked go to wrap-up only once the attempt is stored, so their disposition
        # never races the worker's own write of the outcome.
        claimer.release_deferred()
        claimer.release_preassigned()
    return reporter.outcome or Outcome.FAILED


def _reserve_legs(telephony: Telephony, legs: int) -> LegReservation | None:
    """The attempt's legs, waiting a moment for them: the call this thread just finished keeps
    its legs for a fraction of a second after the hang-up (pjsua frees the slot late), and the
    next dial task often arrives in that moment. Without the wait it gave its contact back
    undialed: 68 of 166 attempts in a bench run."""
    deadline = time.monotonic() + LEG_WAIT_S
    while True:
        reservation = telephony.reserve(legs)
        if reservation is not None or time.monotonic() >= deadline:
            return reservation
        time.sleep(0.05)


def _spec(to_dial: AttemptToDial, data_dir: Path) -> AttemptSpec:
    if to_dial.trunk is None:
        raise ValueError("the campaign has no trunk")
    trunk = to_dial.trunk
    credentials = (
        DigestCredentials(trunk.auth_username, trunk.auth_password, trunk.auth_realm or "*")
        if trunk.auth_username and trunk.auth_password
        else None
    )
    config = TrunkConfig(
        name=trunk.name,
        uri_template=trunk.uri_template,
        caller_id=E164(to_dial.caller_id),
        outbound_proxy=trunk.outbound_proxy,
        credentials=credentials,
        max_lines=trunk.max_lines,
        max_calls_per_second=trunk.max_cps,
    )
    message = message_for(
        to_dial.campaign_name, to_dial.caller_id, to_dial.abandon_message, data_dir
    )
    name = f"{to_dial.first_name} {to_dial.last_name}".strip()
    headers = [
        SipHeader("X-Dialer-Attempt", str(to_dial.attempt_id)),
        SipHeader("X-Dialer-Campaign", _header_text(to_dial.campaign_name)),
    ]
    if to_dial.contact_id is not None:
        headers.append(SipHeader("X-Dialer-Contact", str(to_dial.contact_id)))
    if name:
        headers.append(SipHeader("X-Dialer-Contact-Name", _header_text(name)))
    return AttemptSpec(
        attempt_id=str(to_dial.attempt_id),
        number=E164(to_dial.called_number),
        trunk=config,
        ring_timeout=timedelta(seconds=to_dial.ring_timeout_s),
        handoff=HandoffPolicy(abandon_message=message),
        amd=amd_policy(to_dial),
        screen_pop=tuple(headers),
    )


def amd_policy(to_dial: AttemptToDial) -> AmdPolicy | None:
    """The campaign's AMD choices, read at dial time; raises ValueError (not dialed) on a
    voicemail message that cannot be played, before anyone is called."""
    choices = amd_from_json(to_dial.amd)
    if choices["amd"] is AmdMode.OFF:
        return None
    voicemail = choices["voicemail_message"]
    if voicemail is not None and not Path(voicemail).is_file():
        raise ValueError(f"voicemail message {voicemail!r} is not a readable file")
    settings, beep = detector_settings(choices["amd_thresholds"])
    return AmdPolicy(
        settings=settings,
        beep=beep,
        on_machine=choices["amd_on_machine"],
        on_not_sure=choices["amd_on_not_sure"],
        voicemail_message=Path(voicemail) if voicemail else None,
        check_machine=samples_machine_verdict(to_dial.attempt_id, choices["amd_machine_sample"]),
    )


def _features(
    ctx: DialContext, to_dial: AttemptToDial, spec: AttemptSpec, claimer: _Claimer
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
        _notify_agent(ctx, to_dial, claimer.current, notice)

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


# What supervisors read when the worker carried out a supervisor's command.
_SUPERVISION_NOTICES = {
    CallCommand.LISTEN: "Listening: {phone} hears the customer and the agent",
    CallCommand.WHISPER: "Whispering: the agent hears {phone}, the customer does not",
    CallCommand.BARGE: "Barged in: everyone hears {phone}",
    CallCommand.SUPERVISE_LEAVE: "The supervisor left the call",
}


def _notify_agent(
    ctx: DialContext, to_dial: AttemptToDial, agent_id: int | None, message: str
) -> None:
    """A call notice for the agent on the call (their console shows it); no agent: for
    supervisors (the wallboard)."""
    event = live_events.CallNotice(
        to_dial.attempt_id, to_dial.campaign_id, agent_id, message, ctx.now()
    )
    try:
        live_events.publish(ctx.redis, event)
    except redis.RedisError as error:  # the log keeps it; the call goes on
        log.warning("attempt %s: notice not published: %s", to_dial.attempt_id, error)


def _taking_commands(
    ctx: DialContext, spec: AttemptSpec, reporter: _Reporter, features: CallFeatures
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
                _notify_agent(ctx, reporter.to_dial, told, notice)
                return
            if supervising:
                notice = _SUPERVISION_NOTICES[received.command].format(phone=received.phone)
                _notify_agent(ctx, reporter.to_dial, told, notice)
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


def _ms_between(start: datetime | None, end: datetime | None) -> int | None:
    if start is None or end is None:
        return None
    return max(0, round((end - start).total_seconds() * 1000))


def _header_text(text: str) -> str:
    """Header values: one line, printable; anything else is dropped, never sent."""
    return "".join(ch for ch in text if ch.isprintable())[:120]


def _finish(ctx: DialContext, attempt_id: int, result: StoredResult) -> None:
    with ctx.pool.connection() as conn:
        attempt_store.finish_attempt(conn, attempt_id, result, ctx.now())


_PROGRESS: dict[Milestone, tuple[AttemptState, str]] = {
    Milestone.RINGING: (AttemptState.RINGING, "ring_at"),
    Milestone.ANSWERED: (AttemptState.ANSWERED, "answer_at"),
    Milestone.AGENT_CONNECTED: (AttemptState.CONNECTED, "agent_connect_at"),
    Milestone.AGENT_TOOK_OVER: (AttemptState.CONNECTED, ""),
    Milestone.ABANDONED: (AttemptState.ANSWERED, "message_start_at"),
}


class _Reporter:
    """The call flow's AttemptReporter: the attempt row and the live events."""

    def __init__(self, ctx: DialContext, to_dial: AttemptToDial, claimer: _Claimer) -> None:
        self.ctx = ctx
        self.to_dial = to_dial
        self.claimer = claimer
        self.outcome: Outcome | None = None
        # Set when someone hung up from the console (the attempt record's hangup_by).
        self.hangup_by: str | None = None
        self.features: CallFeatures | None = None
        self.agent_leg: Callable[[int], LegId] | None = None  # the call flow's leg names

    @property
    def agent_id(self) -> int | None:
        return self.claimer.current

    def progress(self, attempt_id: str, milestone: Milestone, at: datetime) -> None:
        connected = milestone in {Milestone.AGENT_CONNECTED, Milestone.AGENT_TOOK_OVER}
        if connected and self.features and self.agent_leg:
            # The call flow numbers agent legs by agents tried so far, one per claim.
            self.features.agent_connected(self.agent_leg(self.claimer.claims))
        state, column = _PROGRESS[milestone]
        # Another agent taking over keeps the first connection's time (the 2 s rule's proof).
        columns: dict[str, object] = {column: at} if column else {}
        if connected and self.agent_id is not None:
            columns["agent_id"] = self.agent_id
            self.ctx.agents.connected(self.agent_id, self.to_dial.attempt_id, at)
        with self.ctx.pool.connection() as conn:
            attempt_store.record_progress(conn, int(attempt_id), state, **columns)
        event = self._event(milestone, at)
        if event is not None:
            self._publish(event)

    def _event(self, milestone: Milestone, at: datetime) -> live_events.LiveEvent | None:
        ids = (self.to_dial.attempt_id, self.to_dial.campaign_id)
        if milestone is Milestone.ANSWERED:
            return live_events.CallAnswered(*ids, at)
        took_call = milestone in {Milestone.AGENT_CONNECTED, Milestone.AGENT_TOOK_OVER}
        if took_call and self.agent_id is not None:
            return live_events.CallConnected(*ids, self.agent_id, at)
        if milestone is Milestone.ABANDONED:
            return live_events.CallAbandoned(*ids, at)
        return None

    def finished(self, result: AttemptResult) -> None:
        timeline = result.timeline
        agent_id = int(result.agent.agent_id) if result.agent else None
        outcome = result.outcome
        if outcome is Outcome.ANSWERED and agent_id is not None and timeline.agent_connected_at:
            outcome = Outcome.CONNECTED
        stored = StoredResult(
            outcome=outcome,
            sip_status=timeline.sip_status,
            sip_reason=timeline.sip_reason or None,
            sip_call_id=timeline.sip_call_id or None,
            agent_id=agent_id,
            hangup_by=self.hangup_by,
            amd_result=timeline.amd_decision.value if timeline.amd_decision else None,
            amd_cause=timeline.amd_cause or None,
            amd_decision_ms=_ms_between(timeline.answered_at, timeline.amd_decided_at),
            amd_machine_checked=(
                timeline.amd_machine_checked if timeline.amd_decision is Decision.MACHINE else None
            ),
            timeline={
                name: value
                for name, value in (
                    ("dial_at", timeline.dialed_at),
                    ("ring_at", timeline.ringing_at),
                    ("answer_at", timeline.answered_at),
                    ("agent_connect_at", timeline.agent_connected_at),
                    ("message_start_at", timeline.message_started_at),
                    ("amd_decided_at", timeline.amd_decided_at),
                    ("speech_end_at", timeline.speech_ended_at),
                    ("voicemail_start_at", timeline.voicemail_started_at),
                    ("hangup_at", timeline.ended_at),
                )
                if value is not None
            },
        )
        _finish(self.ctx, self.to_dial.attempt_id, stored)
        self.outcome = outcome
        self._publish(
            live_events.CallEnded(
                self.to_dial.attempt_id,
                self.to_dial.campaign_id,
                outcome.value,
                timeline.ended_at or self.ctx.now(),
                agent_id,
            )
        )

    def _publish(self, event: live_events.LiveEvent) -> None:
        try:
            live_events.publish(self.ctx.redis, event)
        except redis.RedisError as error:  # live pages miss one event; the call goes on
            log.warning("attempt %s: event not published: %s", self.to_dial.attempt_id, error)


class _Claimer:
    """The call flow's AgentClaimer on the agents' live state in Redis."""

    def __init__(self, ctx: DialContext, to_dial: AttemptToDial) -> None:
        self.ctx = ctx
        self.to_dial = to_dial
        self._deferred: list[int] = []
        # The agent holding this call now (reserved or talking), if any.
        self.current: int | None = None
        self.claims = 0

    def claim_agent(self, attempt_id: str, only_agent_id: str | None = None) -> AgentRef | None:
        if only_agent_id is not None:
            return self._claim_transfer_target(int(attempt_id), int(only_agent_id))
        preassigned = self.to_dial.preassigned_agent_id
        if preassigned is not None:
            # A preview: the agent chose this call and is reserved for it already; never another
            # agent, and only once (a phone that failed leaves the answer to the message).
            if self.claims:
                return None
            claimed = self.ctx.agents.reserved_for(preassigned, int(attempt_id))
        else:
            claimed = self.ctx.agents.claim(
                self.to_dial.campaign_id, int(attempt_id), self.ctx.now(), yield_to_inbound=True
            )
        if claimed is None:
            return None
        self.current = claimed.agent_id
        self.claims += 1
        forward = None
        if preassigned is None:  # a call the agent placed themselves is never forwarded
            forward = forwarding_for(
                self.ctx.pool,
                claimed.agent_id,
                self.to_dial.attempt_id,
                self.to_dial.transfer_destinations,
            )
        return AgentRef(str(claimed.agent_id), claimed.sip_uri, forward)

    def _claim_transfer_target(self, attempt_id: int, agent_id: int) -> AgentRef | None:
        """The agent a transfer asks for, if they are ready in this campaign (the preview's
        claim: that agent or nobody). They are not yet the call's agent (took_over)."""
        claimed = self.ctx.agents.claim(
            self.to_dial.campaign_id, attempt_id, self.ctx.now(), only_agent_id=agent_id
        )
        if claimed is None:
            return None
        self.claims += 1  # the call flow rings them on its next agent leg
        return AgentRef(str(claimed.agent_id), claimed.sip_uri, name=claimed.display_name)

    def took_over(self, agent: AgentRef) -> None:
        self.current = int(agent.agent_id)

    def joined(self, agent: AgentRef) -> None:
        """In a three-way call: on call with this attempt (their console shows it), which the
        agent who added them keeps (notices, disposition) unless they leave."""
        self.ctx.agents.connected(int(agent.agent_id), self.to_dial.attempt_id, self.ctx.now())

    def release_agent(self, agent: AgentRef, reason: AgentRelease) -> None:
        agent_id = int(agent.agent_id)
        if self.current == agent_id:
            self.current = None
        if reason is AgentRelease.TALKED:
            self._deferred.append(agent_id)
            return
        if reason in {AgentRelease.TRANSFERRED, AgentRelease.CONFERENCED}:
            # The call goes on without them: wrap-up now, not when the customer hangs up.
            self.ctx.agents.ended(agent_id, self.to_dial.attempt_id, self.ctx.now(), reason.value)
            return
        self.ctx.agents.release(
            agent_id, self.to_dial.attempt_id, HandBack(reason.value), self.ctx.now()
        )

    def release_preassigned(self) -> None:
        """A preview's agent still reserved when the attempt is over (busy, no answer, nothing
        dialed) never took the call: back to ready, at their old place."""
        agent_id = self.to_dial.preassigned_agent_id
        if agent_id is None:
            return
        if self.ctx.agents.reserved_for(agent_id, self.to_dial.attempt_id) is not None:
            self.ctx.agents.release(
                agent_id, self.to_dial.attempt_id, HandBack.UNUSED, self.ctx.now()
            )

    def release_deferred(self) -> None:
        for agent_id in self._deferred:
            self.ctx.agents.ended(agent_id, self.to_dial.attempt_id, self.ctx.now())
        self._deferred.clear()
