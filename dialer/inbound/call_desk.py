"""The console's commands for an inbound call while its agent talks: hang-up, and hold, mute,
DTMF and recording through the outbound calls' `CallFeatures` (dialer.call_features).

Commands reach the process through the same Redis lists as an outbound attempt's
(dialer.call_commands), keyed by the inbound call's id negated: the agent's call reference,
which the dashboard checks before sending. Every inbound process runs one listener. Transfers
are refused: they belong to the outbound call flow, and a third leg would not fit the budget of
an inbound process (two calls, each with its agent: dialer.inbound.process).

The recording follows the queue's campaign's setting, as for its outbound calls; the file is
`recordings/campaign-<id>/inbound-<call id>.wav` under the data dir, kept on the inbound call
(`recording_path`, where a voicemail's file is kept too: a call has one or the other).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import redis

from campaigns.storage import campaign_store, inbound_store
from dialer import live_events
from dialer.call_commands import TRANSFERS, CallCommand, CommandReceived
from dialer.call_features import CallFeatures, FeatureRefused, RecordingPolicy
from dialer.hold_music import HoldMusicUnavailable, hold_music
from dialer.inbound.context import InboundContext
from dialer.telephony import TelephonyError
from dialer.telephony.events import LegId

log = logging.getLogger(__name__)


class InboundDesk:
    """One answered inbound call's console commands, from its agent's answer to its end."""

    def __init__(
        self, ctx: InboundContext, call_id: int, caller: LegId, campaign_id: int, agent_id: int
    ) -> None:
        self.ctx = ctx
        self.call_id = call_id
        self.caller = caller
        self.campaign_id = campaign_id
        self.agent_id = agent_id

    @contextmanager
    def talking(self, agent_leg: LegId) -> Iterator[None]:
        """Commands are carried out while the block runs (the caller and agent bridged)."""
        features = self._features()
        features.agent_connected(agent_leg)
        try:
            if self.ctx.commands is None:
                yield
            else:
                with self.ctx.commands.listening(-self.call_id, self._handler(features)):
                    yield
        finally:
            features.finish()

    def _features(self) -> CallFeatures:
        try:
            music: Path | None = hold_music(self.ctx.data_dir)
        except HoldMusicUnavailable as error:  # the call goes on; hold is refused with the reason
            log.error("inbound call %s: %s", self.call_id, error)
            music = None
        stored_as = f"recordings/campaign-{self.campaign_id}/inbound-{self.call_id}.wav"
        with self.ctx.pool.connection() as conn:
            mode = campaign_store.get_campaign(conn, self.campaign_id).spec.recording
        policy = RecordingPolicy(mode, self.ctx.data_dir / stored_as, stored_as)

        def started(path: str) -> None:
            with self.ctx.pool.connection() as conn:
                inbound_store.set_recording_path(conn, self.call_id, path)

        return CallFeatures(
            self.ctx.telephony, self.caller, music, policy, started, None, self.ctx.now
        )

    def _handler(self, features: CallFeatures) -> Callable[[CommandReceived], None]:
        def carry_out(received: CommandReceived) -> None:
            command = received.command
            log.info(
                "inbound call %s: %s asked by %s", self.call_id, command, received.requested_by
            )
            if command is CallCommand.HANGUP:
                try:
                    self.ctx.telephony.hangup(self.caller)
                except TelephonyError as gone:  # already ending: its LegEnded is on its way
                    log.info("inbound call %s: hang-up not needed: %s", self.call_id, gone)
                return
            try:
                if command in TRANSFERS:
                    raise FeatureRefused("inbound calls are not transferred (outbound calls only)")
                features.carry_out(command, received.digits, received.destination)
            except (FeatureRefused, TelephonyError, ValueError) as refused:
                log.warning("inbound call %s: %s refused: %s", self.call_id, command, refused)
                self._notify(f"{command.value} refused: {refused}")

        return carry_out

    def _notify(self, message: str) -> None:
        """A call notice for the agent (their console shows it), under the call's reference."""
        event = live_events.CallNotice(
            -self.call_id, self.campaign_id, self.agent_id, message, self.ctx.now()
        )
        try:
            live_events.publish(self.ctx.redis, event)
        except redis.RedisError as error:  # the log keeps it; the call goes on
            log.warning("inbound call %s: notice not published: %s", self.call_id, error)
