"""Robot agents in one process: one line (SIP port) and one thread per robot, one endpoint.

pjsua2's wheel carries 4 calls per process and a robot holds one call at a time, so a process
runs at most 4 robots (`dialer robots` starts as many processes as it needs). A dispatcher
thread routes the endpoint's events: an IncomingLeg to the robot of its line, later events to
the robot holding that leg. Each robot thread runs the pure robot (dialer.softphone.robot)
and does its slow work (the API) without holding up the others.
"""

from __future__ import annotations

import logging
import queue
import threading
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

from dialer.softphone import robot
from dialer.softphone.desk import AgentDesk, AgentStatus, DeskError
from dialer.softphone.dice import DispositionMix, RobotDice, TalkTime
from dialer.softphone.screen_pop import screen_pop
from dialer.telephony.capacity import PJSUA2_MAX_CALLS
from dialer.telephony.errors import TelephonyError
from dialer.telephony.events import IncomingLeg, LegEnded, LegId
from dialer.telephony.user_agent import Line, LineConfig, UserAgent

log = logging.getLogger(__name__)

MAX_ROBOTS_PER_PROCESS = PJSUA2_MAX_CALLS
PHONE_NOT_ANSWERING = "phone_not_answering"


@dataclass(frozen=True)
class RobotSpec:
    """One robot: its agent's token; the port and user default to the agent's softphone URI."""

    token: str
    port: int = 0
    user: str = ""


@dataclass(frozen=True)
class TeamOptions:
    api_url: str
    robots: tuple[RobotSpec, ...]
    talk: TalkTime
    mix: DispositionMix
    seed: int = 1
    first_index: int = 0  # robot numbers (dice streams) continue across processes
    wrap_s: float = 1.0
    callback_codes: frozenset[str] = frozenset({"callback"})
    callback_after_s: float = 3600.0
    campaign_ids: tuple[int, ...] = ()
    record_dir: Path | None = None

    def __post_init__(self) -> None:
        if not 1 <= len(self.robots) <= MAX_ROBOTS_PER_PROCESS:
            raise ValueError(f"1 to {MAX_ROBOTS_PER_PROCESS} robots per process (one call each)")


@dataclass
class TeamReport:
    calls: int = 0
    refused_while_busy: int = 0
    dispositions: int = 0
    disposition_failures: int = 0
    robots: list[str] = field(default_factory=list)


def line_of(status: AgentStatus, spec: RobotSpec, index: int) -> LineConfig:
    """Listen where the dialer will ring this agent: the port and user of its SIP URI."""
    user, port = spec.user, spec.port
    uri = status.sip_uri.split(":", 1)[-1].split(";", 1)[0]
    uri_user, _, host = uri.rpartition("@")
    if not user:
        user = uri_user or status.username or f"robot{index}"
    if not port:
        _, _, text = host.rpartition(":")
        port = int(text) if text.isdigit() else 0
    if not port:
        raise ValueError(f"agent {status.username}: no port in {status.sip_uri!r}; give --port")
    return LineConfig(f"robot-{index}", user, port)


class Robot:
    def __init__(
        self, index: int, ua: UserAgent, desk: AgentDesk, options: TeamOptions, speech: Path
    ) -> None:
        self.index = index
        self.name = f"robot-{index}"
        self.ua = ua
        self.desk = desk
        self.options = options
        self.speech = speech
        self.dice = RobotDice(options.talk, options.mix, options.seed, index)
        self.inbox: queue.SimpleQueue[robot.Input] = queue.SimpleQueue()
        self.state = robot.RobotState()
        self.dispositions = 0
        self.failures = 0
        self.recordings: dict[LegId, str] = {}
        self.stopping = threading.Event()
        self.thread = threading.Thread(target=self.run, name=self.name, daemon=True)

    def run(self) -> None:
        while not (self.stopping.is_set() and self.state.phase is robot.RobotPhase.IDLE):
            now = datetime.now(UTC)
            deadline = robot.next_deadline(self.state)
            wait = 0.2 if deadline is None else max(0.0, (deadline - now).total_seconds())
            try:
                event: robot.Input = self.inbox.get(timeout=min(wait, 0.2))
            except queue.Empty:
                event = robot.Tick(datetime.now(UTC))
            try:
                self._step(event)
            except Exception:  # a robot thread's edge: log it and keep the robot alive
                log.exception("%s: step failed on %s", self.name, event)

    def _step(self, event: robot.Input) -> None:
        match event:
            case IncomingLeg():
                draw = self.dice.draw()
                pop = screen_pop(event.from_uri, event.headers)
                if pop.inbound_id is not None and pop.contact_id is None:
                    draw = self.dice.without(draw, self.options.callback_codes)
                self.state, effects = robot.offered(self.state, event, draw)
            case LegEnded():
                self._stop_recording(event.leg)
                wrap = timedelta(seconds=self.options.wrap_s)
                self.state, effects = robot.ended(self.state, event, wrap)
            case robot.Tick():
                self.state, effects = robot.tick(self.state, event)
            case robot.DispositionSent():
                self.state, effects = robot.disposition_sent(self.state, event)
            case _:
                return
        for effect in effects:
            self._carry_out(effect)

    def _carry_out(self, effect: robot.Effect) -> None:
        try:
            match effect:
                case robot.AnswerAndTalk(leg):
                    self.ua.answer(leg)
                    self.ua.play_looped(leg, self.speech)
                    self._record(leg)
                case robot.Refuse(leg, status):
                    log.warning("%s: offered a second call (%s): refused", self.name, leg)
                    self.ua.hangup(leg, status)
                case robot.HangUp(leg):
                    self._stop_recording(leg)
                    self.ua.hangup(leg)
        except TelephonyError as failed:  # the call ended meanwhile: its LegEnded follows
            log.info("%s: %s", self.name, failed)
        if isinstance(effect, robot.SubmitDisposition):
            self._dispose(effect)
            self.inbox.put(robot.DispositionSent(datetime.now(UTC)))
        elif isinstance(effect, robot.ResumeIfBounced):
            self._resume_if_bounced()

    def _dispose(self, effect: robot.SubmitDisposition) -> None:
        callback_at = None
        if effect.code in self.options.callback_codes:
            callback_at = datetime.now(UTC) + timedelta(seconds=self.options.callback_after_s)
        try:
            done = self.desk.disposition(effect.attempt_id, effect.code, callback_at=callback_at)
        except DeskError as refused:
            self.failures += 1
            log.warning(
                "%s: attempt %s: disposition failed: %s", self.name, effect.attempt_id, refused
            )
            return
        self.dispositions += 1
        # Our phone answers every call, so "phone not answering" was a passing fault (a full
        # process, a lost packet): go ready as a person would. Other pauses were asked for.
        if done.get("agent_state") == "paused" and done.get("agent_reason") == PHONE_NOT_ANSWERING:
            self._ready()

    def _resume_if_bounced(self) -> None:
        try:
            status = self.desk.status()
        except DeskError as refused:
            log.warning("%s: status: %s", self.name, refused)
            return
        if status.state == "paused" and status.reason == PHONE_NOT_ANSWERING:
            log.info("%s: a call went away before our answer; ready again", self.name)
            self._ready()

    def _ready(self) -> None:
        try:
            self.desk.ready()
        except DeskError as refused:
            log.warning("%s: could not go ready: %s", self.name, refused)

    def _record(self, leg: LegId) -> None:
        directory = self.options.record_dir
        if directory is None:
            return
        directory.mkdir(parents=True, exist_ok=True)
        attempt = self.state.attempt_id or "call"
        path = directory / f"{self.name}-{attempt}-{leg}.wav"
        self.recordings[leg] = self.ua.record([leg], path)

    def _stop_recording(self, leg: LegId) -> None:
        recording = self.recordings.pop(leg, None)
        if recording is not None:
            try:
                self.ua.stop_recording(recording)
            except TelephonyError as failed:
                log.info("%s: %s", self.name, failed)


def take_the_desk(desk: AgentDesk, status: AgentStatus, campaign_ids: tuple[int, ...]) -> None:
    """Log in and go ready; or, for an agent still logged in (the robot's earlier process died
    and the supervisor started it again), carry on with that session: a second login is refused
    (409), which left a restarted robot failing at every start. Ready again from a pause; a call
    or wrap-up in progress ends on its own."""
    if status.state == "logged_out":
        desk.login(campaign_ids)
        desk.ready()
    elif status.state == "paused":
        desk.ready()


class Team:
    """The robots of one process and the dispatcher that feeds them."""

    def __init__(self, ua: UserAgent, options: TeamOptions, speech: Path) -> None:
        self.ua = ua
        self.options = options
        self.robots: list[Robot] = []
        self.by_line: dict[str, Robot] = {}
        self.by_leg: dict[LegId, Robot] = {}
        self.lines: list[Line] = []
        self.stopping = threading.Event()
        self.speech = speech
        self.dispatcher = threading.Thread(target=self._dispatch, name="dispatch", daemon=True)

    def start(self) -> list[Line]:
        """Lines up first, then each agent logs in and goes ready (through the API)."""
        desks, configs, statuses = [], [], []
        for offset, spec in enumerate(self.options.robots):
            index = self.options.first_index + offset
            desk = AgentDesk(self.options.api_url, spec.token)
            status = desk.status()
            configs.append(line_of(status, spec, index))
            desks.append((index, desk))
            statuses.append(status)
        for (index, desk), config in zip(desks, configs, strict=True):
            self.lines.append(self.ua.add_line(config))
            member = Robot(index, self.ua, desk, self.options, self.speech)
            self.robots.append(member)
            self.by_line[config.name] = member
        self.dispatcher.start()
        for member, status in zip(self.robots, statuses, strict=True):
            member.thread.start()
            take_the_desk(member.desk, status, self.options.campaign_ids)
        return self.lines

    def _dispatch(self) -> None:
        while not self.stopping.is_set():
            event = self.ua.incoming.get(timeout=0.2)
            if isinstance(event, IncomingLeg):
                member = self.by_line.get(event.line)
                if member is None:
                    log.warning("a call on no robot's line (%s): refused", event.to_uri)
                    self._refuse(event.leg)
                    continue
                self.by_leg[event.leg] = member
                member.inbox.put(event)
            elif isinstance(event, LegEnded):
                owner = self.by_leg.pop(event.leg, None)
                if owner is not None:
                    owner.inbox.put(event)

    def _refuse(self, leg: LegId) -> None:
        try:
            self.ua.hangup(leg, 404)
        except TelephonyError as failed:
            log.info("refuse %s: %s", leg, failed)

    def stop(self, grace_s: float) -> TeamReport:
        """Log every robot out (after its call), let calls and dispositions finish."""
        for member in self.robots:
            try:
                member.desk.logout()
            except DeskError as refused:
                log.warning("%s: logout: %s", member.name, refused)
            member.stopping.set()
        for member in self.robots:
            member.thread.join(timeout=grace_s)
        self.stopping.set()
        self.dispatcher.join(timeout=1.0)
        report = TeamReport()
        for member in self.robots:
            report.calls += member.state.calls
            report.refused_while_busy += member.state.refused_while_busy
            report.dispositions += member.dispositions
            report.disposition_failures += member.failures
            report.robots.append(member.name)
        return report
