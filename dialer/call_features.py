"""What an agent can do to a call in progress: hold, mute, DTMF, recording.

All of it happens on the legs this worker process already holds (the customer's and the
agent's), so no feature here needs a leg of its own: the 4-leg cap is not touched.

- Hold: the agent's leg is unbridged (neither side hears the other) and music on hold plays to
  the customer, looped; resume stops the music and bridges again. No re-INVITE goes to the
  customer: to the carrier, hold is just different audio, which every carrier accepts.
- Mute: the agent's direction only (agent -> customer); the agent still hears the customer.
  Mute survives hold: resume bridges both ways, then silences the agent again.
- DTMF: RFC 2833 telephone events to the customer's leg (IVRs, payment lines).
- Recording (campaign's mode: never, on demand, always): both legs' audio mixed into one WAV
  under the data dir; the music on hold is not in it (the player is not one of the legs).
  One file per call: a second start after a stop is refused rather than overwriting it.

Commands arrive on the listener's thread while the attempt's own thread runs the call flow;
a lock keeps the two from interleaving on the feature state.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from campaigns.campaign import RecordingMode
from dialer.call_commands import CallCommand, check_digits
from dialer.telephony import Telephony, TelephonyError
from dialer.telephony.events import LegId

log = logging.getLogger(__name__)


class FeatureRefused(Exception):
    """The command cannot be carried out now; the message says why (shown to the agent)."""


@dataclass(frozen=True)
class RecordingPolicy:
    mode: RecordingMode
    # Where this call's recording goes (absolute), and the same relative to the data dir (kept
    # on the attempt: the dashboard resolves it against its own data dir).
    path: Path
    stored_as: str


class CallFeatures:
    """The feature state of one attempt, carried out through the telephony port."""

    def __init__(
        self,
        telephony: Telephony,
        customer: LegId,
        hold_music: Path | None,
        recording: RecordingPolicy,
        on_recording_started: Callable[[str], None],
    ) -> None:
        self._telephony = telephony
        self._customer = customer
        self._hold_music = hold_music
        self._recording = recording
        self._on_recording_started = on_recording_started
        self._lock = threading.Lock()
        self._agent: LegId | None = None
        self._music: str | None = None
        self._muted = False
        self._recorder: str | None = None
        self._recorded = False

    @property
    def held(self) -> bool:
        return self._music is not None

    @property
    def muted(self) -> bool:
        return self._muted

    @property
    def recording(self) -> bool:
        return self._recorder is not None

    # -- from the attempt's thread -------------------------------------------------------------
    def agent_connected(self, agent: LegId) -> None:
        """The customer and ``agent`` are bridged: features apply; 'always' starts recording."""
        with self._lock:
            self._agent = agent
            if self._recording.mode is RecordingMode.ALWAYS:
                try:
                    self._start_recording(agent)
                except TelephonyError as error:  # the call goes on unrecorded; say so loudly
                    log.error("leg %s: recording did not start: %s", self._customer, error)

    def finish(self) -> None:
        """The attempt is over: complete the recording file (its legs may be gone already)."""
        with self._lock:
            self._agent = None
            self._music = None  # the player went with the customer's leg
            recorder, self._recorder = self._recorder, None
        if recorder is not None:
            try:
                self._telephony.stop_recording(recorder)
            except TelephonyError as error:
                log.warning("leg %s: recording not completed: %s", self._customer, error)

    # -- from the console (the command listener's thread) --------------------------------------
    def carry_out(self, command: CallCommand, digits: str = "") -> None:
        """Do ``command`` now; FeatureRefused when the call is not in a state for it."""
        with self._lock:
            agent = self._agent
            if agent is None:
                raise FeatureRefused("no agent is talking on this call")
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
                    self._start_recording(agent)
                case CallCommand.RECORD_STOP:
                    self._stop_recording()
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

    def _start_recording(self, agent: LegId) -> None:
        policy = self._recording
        if policy.mode is RecordingMode.NEVER:
            raise FeatureRefused("this campaign never records calls")
        if self._recorder is not None:
            raise FeatureRefused("the call is already being recorded")
        if self._recorded:
            raise FeatureRefused("this call was recorded already (one recording per call)")
        policy.path.parent.mkdir(parents=True, exist_ok=True)
        self._recorder = self._telephony.record([self._customer, agent], policy.path)
        self._recorded = True
        self._on_recording_started(policy.stored_as)

    def _stop_recording(self) -> None:
        if self._recording.mode is RecordingMode.ALWAYS:
            raise FeatureRefused("this campaign records every call in full")
        recorder, self._recorder = self._recorder, None
        if recorder is None:
            raise FeatureRefused("the call is not being recorded")
        self._telephony.stop_recording(recorder)
