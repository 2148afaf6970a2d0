"""The call flow's AttemptReporter for a worker: progress and result into the attempt row in
PostgreSQL, and the live events the dashboard's pages follow."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime

import redis

from campaigns.attempt import AttemptState, Outcome
from campaigns.storage import attempt_store
from campaigns.storage.attempt_store import AttemptResult as StoredResult
from campaigns.storage.attempt_store import AttemptToDial
from dialer import live_events
from dialer.amd import Decision
from dialer.call_features import CallFeatures
from dialer.call_flow.model import AttemptResult, Milestone
from dialer.dialing.claimer import Claimer
from dialer.dialing.context import DialContext, finish_attempt
from dialer.telephony.events import LegId

log = logging.getLogger(__name__)


def _ms_between(start: datetime | None, end: datetime | None) -> int | None:
    if start is None or end is None:
        return None
    return max(0, round((end - start).total_seconds() * 1000))


_PROGRESS: dict[Milestone, tuple[AttemptState, str]] = {
    Milestone.RINGING: (AttemptState.RINGING, "ring_at"),
    Milestone.ANSWERED: (AttemptState.ANSWERED, "answer_at"),
    Milestone.AGENT_CONNECTED: (AttemptState.CONNECTED, "agent_connect_at"),
    Milestone.AGENT_TOOK_OVER: (AttemptState.CONNECTED, ""),
    Milestone.ABANDONED: (AttemptState.ANSWERED, "message_start_at"),
}


class Reporter:
    """The call flow's AttemptReporter: the attempt row and the live events."""

    def __init__(self, ctx: DialContext, to_dial: AttemptToDial, claimer: Claimer) -> None:
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
        finish_attempt(self.ctx, self.to_dial.attempt_id, stored)
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
