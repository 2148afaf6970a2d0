"""What an agent can do to a call in progress: hold, mute, DTMF, recording, transfer, 3-way;
and what a supervisor can: listen, whisper, barge (dialer.call_supervision).

Hold, mute, DTMF and recording happen on the legs this worker process already holds (the
customer's and the agent's): no leg of their own. A transfer needs a third leg, which counts
against the process's 4 (dialer.telephony.capacity): it is reserved before anything else
happens, and when none is free the transfer is refused and the call is not touched.

- Hold: the agent's leg is unbridged (neither side hears the other) and music on hold plays to
  the customer, looped; resume stops the music and bridges again. No re-INVITE goes to the
  customer: to the carrier, hold is just different audio, which every carrier accepts.
- Mute: the agent's direction only (agent -> customer); the agent still hears the customer.
  Mute survives hold: resume bridges both ways, then silences the agent again.
- DTMF: RFC 2833 telephone events to the customer's leg (IVRs, payment lines).
- Recording (campaign's mode: never, on demand, always; dialer.call_recording): both legs'
  audio mixed into one WAV under the data dir; the music on hold is not in it (the player is
  not one of the legs). One file per call.
- Blind transfer to an external number: only to a destination on the campaign's allow list
  (campaigns.transfer_destinations). The customer goes on hold (music) while the third party
  rings through the campaign's trunk; the call flow (dialer.call_flow.machine) bridges them on
  answer and lets the agent go, or gives the customer back to the agent (off hold) and the
  agent is told why. This object is the call flow's CallDesk: the request goes to the
  attempt's thread through ``next_request``, the result comes back in ``transfer_reported``.
- Blind transfer to an inbound queue (dialer.queue_transfer): one of the campaign's queues;
  the leg goes to the inbound processes, which answer and queue the customer; then as a
  blind transfer to a number.
- Three-way call: the third party is reached as for a transfer (allow list, own leg, the
  customer on hold while it rings); on answer the call flow bridges them to both and the
  customer comes off hold. The agent then leaves (the other two stay connected, the agent
  goes to wrap-up as after a transfer) or drops the third party (back to a two-way call).
  A consultation (warm transfer) can be made a three-way call the same way (merge). The third
  party can be another agent ready in the campaign (claimed and rung as for a transfer to an
  agent): leaving then makes the call theirs.

When a command is refused in the call's state, and what a transfer may go to, are pure rules
(dialer.call_feature_rules). Commands arrive on the listener's thread while the attempt's own
thread runs the call flow; a lock keeps the two from interleaving on the feature state.
"""

from __future__ import annotations

import logging
import threading
from collections import deque
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

from dialer.call_commands import CallCommand, check_digits, check_phone
from dialer.call_feature_rules import (
    DESK_DECISIONS,
    FeatureRefused,
    TransferPolicy,
    check_allowed,
    desk_decision,
    transfer_number,
    transfer_queue,
)
from dialer.call_flow.inputs import (
    AgentTransferRequested,
    FlowEvent,
    QueueTransferRequested,
    TransferRequested,
)
from dialer.call_flow.model import TransferOutcome, TransferReport
from dialer.call_recording import CallRecording, RecordingPolicy
from dialer.call_supervision import Supervision, SupervisionRefused
from dialer.supervision import SuperviseMode
from dialer.telephony import NoFreeLeg, Telephony, TelephonyError
from dialer.telephony.capacity import LegReservation, reserve_feature_leg
from dialer.telephony.events import LegId

# Where other modules and tests find them: the features' refusal and their policies.
__all__ = ["CallFeatures", "FeatureRefused", "RecordingPolicy", "TransferPolicy"]

log = logging.getLogger(__name__)


class CallFeatures:
    """The feature state of one attempt, carried out through the telephony port."""

    def __init__(
        self,
        telephony: Telephony,
        customer: LegId,
        hold_music: Path | None,
        recording: RecordingPolicy,
        on_recording_started: Callable[[str], None],
        transfers: TransferPolicy | None = None,
        now: Callable[[], datetime] | None = None,
    ) -> None:
        self._telephony = telephony
        self._customer = customer
        self._hold_music = hold_music
        self._recording = CallRecording(telephony, customer, recording, on_recording_started)
        self._lock = threading.Lock()
        self._agent: LegId | None = None
        self._music: str | None = None
        self._muted = False
        self._transfers = transfers or TransferPolicy()
        self._now = now or (lambda: datetime.now().astimezone())
        self._requests: deque[FlowEvent] = deque()
        # The third party's leg while a transfer is asked for or ringing.
        self._transfer_leg: LegReservation | None = None
        # Unbridged for a transfer with no music to play: bridge again if it comes back.
        self._silenced = False
        # A transfer asked for and not yet decided; a warm one whose third party answered.
        self._under_way = False
        self._consulting = False
        # A three-way call is on: customer, agent and third party hear each other.
        self._conference = False
        self._supervision = Supervision(telephony, customer)

    @property
    def held(self) -> bool:
        return self._music is not None

    @property
    def muted(self) -> bool:
        return self._muted

    @property
    def recording(self) -> bool:
        return self._recording.active

    @property
    def transferring(self) -> bool:
        return self._under_way

    @property
    def supervised(self) -> SuperviseMode | None:
        with self._lock:
            return self._supervision.mode

    # -- from the attempt's thread -------------------------------------------------------------
    def agent_connected(self, agent: LegId) -> None:
        """The customer and ``agent`` are bridged: features apply; 'always' starts recording."""
        with self._lock:
            self._agent = agent
            self._recording.agent_connected(agent)

    def finish(self) -> None:
        """The attempt is over: complete the recording file (its legs may be gone already)."""
        with self._lock:
            self._agent = None
            self._music = None  # the player went with the customer's leg
            recorder = self._recording.detach()
            self._requests.clear()
            self._under_way = self._consulting = self._conference = False
            leg, self._transfer_leg = self._transfer_leg, None
            try:
                self._supervision.finish()
            except TelephonyError as error:  # its leg ends with the process's calls anyway
                log.warning("leg %s: supervisor not hung up: %s", self._customer, error)
        if leg is not None:
            leg.release()
        if recorder is not None:
            self._recording.complete(recorder)

    # -- from the console (the command listener's thread) --------------------------------------
    # -- the call flow's CallDesk (the attempt's thread) ---------------------------------------
    def next_request(self) -> FlowEvent | None:
        with self._lock:
            return self._requests.popleft() if self._requests else None

    def transfer_reported(self, report: TransferReport) -> None:
        """The call flow decided the transfer (the report's effects follow this call)."""
        with self._lock:
            leg, self._transfer_leg = self._transfer_leg, None
            agent = self._agent
            if report.outcome is TransferOutcome.CONSULTING:
                # The agent talks with the third party; the customer stays on hold.
                self._consulting = True
            elif report.outcome is TransferOutcome.CONFERENCED and agent is not None:
                # The third party joins (the call flow bridges them to both): the customer
                # comes off hold, back with the agent.
                self._conference = True
                try:
                    self._back_to_agent(agent)
                except TelephonyError as error:  # the agent's leg went meanwhile
                    log.warning("leg %s: not back to the agent: %s", self._customer, error)
                self._recording.third_party_joined(report.leg)
            elif report.outcome is TransferOutcome.ANSWERED:
                # The customer is about to be bridged to the third party: no more music, and
                # nothing left for the agent to act on.
                self._stop_music()
                self._agent = None
            elif agent is not None:
                try:
                    self._back_to_agent(agent)  # the agent is told why (on_report)
                except TelephonyError as error:  # the agent's leg went meanwhile
                    log.warning("leg %s: not back to the agent: %s", self._customer, error)
            if report.outcome is not TransferOutcome.CONSULTING:
                self._silenced = self._under_way = self._consulting = False
            if report.outcome is not TransferOutcome.CONFERENCED:
                self._conference = False
        if leg is not None:
            leg.release()  # a live third-party leg keeps its slot until it ends
        try:
            self._transfers.on_report(report)
        except Exception:  # the record or the notice failed; the call goes on regardless
            log.exception("leg %s: transfer report not delivered", self._customer)

    # -- from the console (the command listener's thread) --------------------------------------
    def carry_out(
        self,
        command: CallCommand,
        digits: str = "",
        destination: str = "",
        phone: str = "",
        agent_id: int | None = None,
        queue_id: int | None = None,
    ) -> None:
        """Do ``command`` now; FeatureRefused when the call is not in a state for it."""
        with self._lock:
            agent = self._agent
            if command is CallCommand.SUPERVISE_LEAVE:  # also once the agent is gone
                self._supervisor_leaves()
                return
            if agent is None:
                raise FeatureRefused("no agent is talking on this call")
            check_allowed(command, transferring=self._under_way, conference=self._conference)
            match command:
                case CallCommand.HOLD:
                    self._hold(agent)
                case CallCommand.RESUME:
                    self._resume(agent)
                case CallCommand.MUTE | CallCommand.UNMUTE:
                    self._mute(agent, command is CallCommand.MUTE)
                case CallCommand.DTMF:
                    self._telephony.send_dtmf(self._customer, check_digits(digits))
                case CallCommand.RECORD_START:
                    self._recording.start(agent)
                case CallCommand.RECORD_STOP:
                    self._recording.stop()
                case CallCommand.TRANSFER | CallCommand.CONSULT | CallCommand.CONFERENCE:
                    self._transfer(agent, destination, command)
                case (
                    CallCommand.TRANSFER_AGENT
                    | CallCommand.CONSULT_AGENT
                    | CallCommand.CONFERENCE_AGENT
                ):
                    self._transfer_to_agent(agent, agent_id, command)
                case CallCommand.TRANSFER_QUEUE:
                    self._transfer_to_queue(agent, queue_id)
                case _ if command in DESK_DECISIONS:
                    decided = desk_decision(
                        command,
                        self._now(),
                        transferring=self._under_way,
                        consulting=self._consulting,
                        conference=self._conference,
                    )
                    self._requests.append(decided)
                case CallCommand.LISTEN | CallCommand.WHISPER | CallCommand.BARGE:
                    self._supervise(SuperviseMode(command.value), agent, phone)
                case _:
                    raise FeatureRefused(f"{command} is not a call feature")

    def _hold(self, agent: LegId) -> None:
        if self._music is not None:
            raise FeatureRefused("the call is already on hold")
        if self._hold_music is None:
            raise FeatureRefused("no music on hold (sox is missing on the worker)")
        self._telephony.unbridge(self._customer, agent)
        try:
            self._music = self._telephony.play_looped(self._customer, self._hold_music)
        except TelephonyError:
            self._telephony.bridge(self._customer, agent)  # never leave the customer in silence
            raise

    def _transfer(self, agent: LegId, destination: str, command: CallCommand) -> None:
        e164 = transfer_number(self._transfers, destination)
        leg = self._hold_for_third_party(agent)
        warm, conference = command is CallCommand.CONSULT, command is CallCommand.CONFERENCE
        self._requests.append(TransferRequested(e164, self._now(), leg, warm, conference))

    def _transfer_to_agent(self, agent: LegId, agent_id: int | None, command: CallCommand) -> None:
        """To another agent (or a three-way call with them): the call flow claims them (that
        agent or nobody) and rings them."""
        if agent_id is None:
            raise FeatureRefused("no agent to transfer to")
        name = self._transfers.agent_name(agent_id)
        leg = self._hold_for_third_party(agent)
        warm, conference = (
            command is CallCommand.CONSULT_AGENT,
            command is CallCommand.CONFERENCE_AGENT,
        )
        self._requests.append(
            AgentTransferRequested(str(agent_id), name, self._now(), leg, warm, conference)
        )

    def _transfer_to_queue(self, agent: LegId, queue_id: int | None) -> None:
        """To an inbound queue (dialer.queue_transfer): one of the campaign's, with a number,
        and an inbound address to reach it at; else refused before the call is touched."""
        target, address = transfer_queue(self._transfers, queue_id)
        leg = self._hold_for_third_party(agent)
        self._requests.append(QueueTransferRequested(target, address, self._now(), leg))

    def _hold_for_third_party(self, agent: LegId) -> LegReservation:
        """Reserve the third party's leg (none free: refused, call untouched), then put the
        customer on hold while the third party rings."""
        try:
            leg = reserve_feature_leg(self._telephony)
        except NoFreeLeg as full:
            raise FeatureRefused(str(full)) from None
        if self._music is None:
            try:
                if self._hold_music is not None:
                    self._hold(agent)
                else:  # no music: the customer hears silence while the third party rings
                    self._telephony.unbridge(self._customer, agent)
                    self._silenced = True
            except TelephonyError:
                leg.release()
                raise
        self._transfer_leg = leg
        self._under_way = True
        return leg

    def _supervise(self, mode: SuperviseMode, agent: LegId, phone: str) -> None:
        """A supervisor's listen, whisper or barge (dialer.call_supervision)."""
        try:
            self._supervision.enter(mode, agent, check_phone(phone))
        except SupervisionRefused as refused:
            raise FeatureRefused(str(refused)) from None

    def _supervisor_leaves(self) -> None:
        try:
            self._supervision.leave()
        except SupervisionRefused as refused:
            raise FeatureRefused(str(refused)) from None

    def _back_to_agent(self, agent: LegId) -> None:
        if self._music is not None:
            self._resume(agent)
        elif self._silenced:
            self._telephony.bridge(self._customer, agent)
            if self._muted:
                self._telephony.transmit(agent, self._customer, on=False)

    def _stop_music(self) -> None:
        music, self._music = self._music, None
        if music is not None:
            try:
                self._telephony.stop_playback(music)
            except TelephonyError as error:  # the player went with its leg
                log.info("leg %s: music not stopped: %s", self._customer, error)

    def _resume(self, agent: LegId) -> None:
        if self._music is None:
            raise FeatureRefused("the call is not on hold")
        music, self._music = self._music, None
        self._telephony.stop_playback(music)
        self._telephony.bridge(self._customer, agent)
        if self._muted:
            self._telephony.transmit(agent, self._customer, on=False)

    def _mute(self, agent: LegId, muted: bool) -> None:
        if muted == self._muted:
            return  # asked twice (two clicks, two tabs): already so
        if self._music is None:  # on hold nothing flows anyway; resume applies it
            self._telephony.transmit(agent, self._customer, on=not muted)
        self._muted = muted
