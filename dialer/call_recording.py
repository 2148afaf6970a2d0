"""One call's recording (the campaign's mode: never, on demand, always): both legs' audio mixed
into one WAV under the data dir, with every party who joins later (an agent taking over, a
third party) added to the same file.

One file per call: a second start after a stop is refused rather than overwriting it. Its
state is apart from hold, mute and transfers because nothing in them changes it: it only needs
the legs. CallFeatures calls this under its lock (commands arrive on the listener's thread).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from campaigns.campaign import RecordingMode
from dialer.call_feature_rules import FeatureRefused
from dialer.telephony import Telephony, TelephonyError
from dialer.telephony.events import LegId

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class RecordingPolicy:
    mode: RecordingMode
    # Where this call's recording goes (absolute), and the same relative to the data dir (kept
    # on the attempt: the dashboard resolves it against its own data dir).
    path: Path
    stored_as: str


class CallRecording:
    def __init__(
        self,
        telephony: Telephony,
        customer: LegId,
        policy: RecordingPolicy,
        on_started: Callable[[str], None],
    ) -> None:
        self._telephony = telephony
        self._customer = customer
        self._policy = policy
        self._on_started = on_started
        self._recorder: str | None = None
        self._recorded = False

    @property
    def active(self) -> bool:
        return self._recorder is not None

    def agent_connected(self, agent: LegId) -> None:
        """An agent is bridged to the customer: recorded too if a recording is under way (another
        agent took the call over); 'always' starts it with the first agent."""
        if self._recorder is not None:
            try:
                self._telephony.record_also(self._recorder, agent)
            except TelephonyError as error:  # the file lacks the new agent; say so loudly
                log.error("leg %s: agent %s not recorded: %s", self._customer, agent, error)
        elif self._policy.mode is RecordingMode.ALWAYS and not self._recorded:
            try:
                self.start(agent)
            except TelephonyError as error:  # the call goes on unrecorded; say so loudly
                log.error("leg %s: recording did not start: %s", self._customer, error)

    def third_party_joined(self, leg: LegId | None) -> None:
        """A recording under way takes in the party who joined (the whole conversation)."""
        if self._recorder is None or leg is None:
            return
        try:
            self._telephony.record_also(self._recorder, leg)
        except TelephonyError as error:  # the call goes on; the file lacks the third party
            log.error("leg %s: third party not recorded: %s", self._customer, error)

    def start(self, agent: LegId) -> None:
        policy = self._policy
        if policy.mode is RecordingMode.NEVER:
            raise FeatureRefused("this campaign never records calls")
        if self._recorder is not None:
            raise FeatureRefused("the call is already being recorded")
        if self._recorded:
            raise FeatureRefused("this call was recorded already (one recording per call)")
        policy.path.parent.mkdir(parents=True, exist_ok=True)
        self._recorder = self._telephony.record([self._customer, agent], policy.path)
        self._recorded = True
        self._on_started(policy.stored_as)

    def stop(self) -> None:
        if self._policy.mode is RecordingMode.ALWAYS:
            raise FeatureRefused("this campaign records every call in full")
        recorder, self._recorder = self._recorder, None
        if recorder is None:
            raise FeatureRefused("the call is not being recorded")
        self._telephony.stop_recording(recorder)

    def detach(self) -> str | None:
        """The attempt is over: the recorder, if one runs, for ``complete`` (which the caller
        makes outside its lock); none from now on."""
        recorder, self._recorder = self._recorder, None
        return recorder

    def complete(self, recorder: str) -> None:
        """Complete the WAV file of ``recorder`` (its legs may be gone already)."""
        try:
            self._telephony.stop_recording(recorder)
        except TelephonyError as error:
            log.warning("leg %s: recording not completed: %s", self._customer, error)
