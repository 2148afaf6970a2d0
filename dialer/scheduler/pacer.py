"""One running campaign's pacing state in the scheduler: learned statistics and the controller.

The statistics are learned from the campaign's own history: each ended attempt (how long it rang,
whether a person answered, how long the talk was), each ended wrap-up, and the talks of its
inbound queues' calls (an agent serving an inbound caller frees up at the inbound calls' pace).
They live in the scheduler's memory and are rebuilt from PostgreSQL when a scheduler starts or
takes over.
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from campaigns.amd_false_positives import (
    PRIOR_ESTIMATE,
    AmdFalsePositiveEstimate,
    estimate_false_positives,
)
from campaigns.amd_policy import AmdMode
from campaigns.attempt import LIVE_ANSWER_OUTCOMES, Outcome
from campaigns.campaign import Campaign, DialMode
from campaigns.storage.pacing_store import AmdVerdictCounts, EndedAttempt
from dialer.call_flow.model import claim_window
from dialer.pacing import (
    AbandonmentCounts,
    ControllerState,
    PacingDecision,
    PacingModel,
    PacingPolicy,
    PolicyKind,
    StatisticsRecorder,
)
from dialer.pacing.observations import Seconds

# How often the lookup tables are rebuilt from the statistics (a few ms each time).
MODEL_REFRESH_S = 60.0

_POLICY_KIND = {
    DialMode.PROGRESSIVE: PolicyKind.PROGRESSIVE,
    DialMode.RATIO: PolicyKind.FIXED_RATIO,
    DialMode.PREDICTIVE: PolicyKind.PREDICTIVE,
}

# Outcomes that say nothing about how people answer: never dialed, or stopped by us or a crash.
_NOT_OBSERVED = frozenset({Outcome.EXPIRED, Outcome.CANCELLED, Outcome.WORKER_LOST})


def policy_for(campaign: Campaign, amd_false_positive_rate: float = 0.0) -> PacingPolicy | None:
    """The pacing policy of a campaign's dial mode; None for preview (agents dial themselves)."""
    spec = campaign.spec
    kind = _POLICY_KIND.get(spec.dial_mode)
    if kind is None:
        return None
    return PacingPolicy(
        kind=kind,
        ratio=spec.dial_ratio,
        abandon_target=spec.abandon_target,
        abandon_cap=spec.rules.abandon_cap,
        min_agents=spec.min_agents_predictive,
        # what the workers leave for finding an agent, not the rules' whole window: an agent
        # freeing in its last 0.6 s is too late (the message must have started by then)
        max_wait_seconds=claim_window(spec.rules.agent_wait).total_seconds(),
        amd_false_positive_rate=amd_false_positive_rate,
    )


class CampaignPacer:
    def __init__(self, campaign: Campaign) -> None:
        self.campaign = campaign
        self.zone = ZoneInfo(campaign.spec.timezone)
        self.recorder = StatisticsRecorder()
        self.model: PacingModel | None = None
        self._model_at: float | None = None
        policy = policy_for(campaign)
        self.controller = ControllerState.initial(policy) if policy else None
        self.last_decision: PacingDecision | None = None
        # AMD verdicts of the campaign's windows and the false-positive estimate from them,
        # re-read with the model (a 30-day count moves little in a minute)
        self.amd_verdicts: AmdVerdictCounts | None = None
        self.amd_estimate: AmdFalsePositiveEstimate = PRIOR_ESTIMATE
        self._amd_at: float | None = None

    def update_campaign(self, campaign: Campaign) -> None:
        """Settings may change while it runs; a new dial mode starts its controller afresh."""
        if campaign.spec.dial_mode is not self.campaign.spec.dial_mode:
            policy = policy_for(campaign)
            self.controller = ControllerState.initial(policy) if policy else None
        self.campaign = campaign
        self.zone = ZoneInfo(campaign.spec.timezone)

    def learn_attempt(self, attempt: EndedAttempt) -> None:
        outcome = Outcome(attempt.outcome)
        if outcome in _NOT_OBSERVED or attempt.dial_at is None:
            return
        ring_end = attempt.answer_at or attempt.hangup_at
        if ring_end is None:
            return
        live = outcome in LIVE_ANSWER_OUTCOMES
        self.recorder.ringing_ended(_seconds(attempt.dial_at, ring_end), live=live)
        if outcome is Outcome.CONNECTED and attempt.agent_connect_at and attempt.hangup_at:
            self.recorder.talk_ended(_seconds(attempt.agent_connect_at, attempt.hangup_at))

    def learn_wrap_up(self, seconds: float, *, after_inbound: bool = False) -> None:
        """A wrap-up ended; one after an inbound call says how inbound-serving agents free up."""
        if after_inbound:
            self.recorder.inbound_wrap_up_ended(max(0.0, seconds))
        else:
            self.recorder.wrap_up_ended(max(0.0, seconds))

    def learn_inbound_talk(self, seconds: float) -> None:
        """A call of one of the campaign's inbound queues ended (agent answer to end)."""
        self.recorder.inbound_talk_ended(max(0.0, seconds))

    def refresh_model(self, monotonic_now: float, talking: Seconds) -> None:
        """`talking`: seconds into each talk going on now (they are still to end)."""
        if self._model_at is not None and monotonic_now - self._model_at < MODEL_REFRESH_S:
            return
        if self._model_at is not None:
            # Older observations weigh less: a campaign's answer pattern drifts during a day.
            self.recorder.decay(monotonic_now - self._model_at)
        self.model = PacingModel.from_statistics(self.recorder.snapshot(), talking)
        self._model_at = monotonic_now

    def amd_refresh_due(self, monotonic_now: float) -> bool:
        return self._amd_at is None or monotonic_now - self._amd_at >= MODEL_REFRESH_S

    def learn_amd_verdicts(self, verdicts: AmdVerdictCounts, monotonic_now: float) -> None:
        self.amd_verdicts = verdicts
        self.amd_estimate = estimate_false_positives(verdicts.checks)
        self._amd_at = monotonic_now

    def amd_state(self, abandonment: AbandonmentCounts) -> dict[str, object] | None:
        """AMD's estimated false positives and the people they add to the abandoned calls, as
        published for the wallboard; None for a campaign without AMD now or in its windows."""
        verdicts = self.amd_verdicts
        if self.campaign.spec.amd is AmdMode.OFF and not (
            verdicts and verdicts.machine_hangups_30_days
        ):
            return None
        return {
            **self.amd_estimate.as_json(),
            "people_hung_up_today": round(abandonment.amd_people_hung_up_today, 2),
            "people_hung_up_30_days": round(abandonment.amd_people_hung_up_30_days, 2),
        }

    def day_start(self, now: datetime) -> datetime:
        """Midnight today in the campaign's time zone: the day of the per-day abandonment rate."""
        local = now.astimezone(self.zone)
        return local.replace(hour=0, minute=0, second=0, microsecond=0)


def _seconds(start: datetime, end: datetime) -> float:
    return max(0.0, (end - start).total_seconds())
