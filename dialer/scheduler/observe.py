"""From what the scheduler reads (agents in Redis, attempts in PostgreSQL) to pacing's inputs."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta

from campaigns.agents import AgentState as LiveAgentState
from campaigns.amd_false_positives import AmdFalsePositiveEstimate
from campaigns.attempt import AttemptState
from campaigns.storage.pacing_store import Abandonment, AmdVerdictCounts, OpenCall
from dialer.agents.floor import CampaignFloor
from dialer.pacing import (
    AbandonmentCounts,
    AgentFloor,
    AgentObservation,
    AgentState,
    CallObservation,
    CallPhase,
    CallsInFlight,
    InboundDemand,
)

# The inbound arrival rate is the offers of this last stretch: long enough to hold a few calls,
# short enough to follow the day's peaks.
INBOUND_RATE_WINDOW = timedelta(minutes=15)

_WORKING = {
    LiveAgentState.READY: AgentState.READY,
    LiveAgentState.RESERVED: AgentState.RESERVED,
    LiveAgentState.ON_CALL: AgentState.ON_CALL,
    LiveAgentState.WRAP_UP: AgentState.WRAP_UP,
    LiveAgentState.PAUSED: AgentState.PAUSED,
}


def agent_floor(floor: CampaignFloor | None) -> AgentFloor:
    if floor is None:
        return AgentFloor()
    return AgentFloor.of(
        AgentObservation(
            _WORKING[agent.state],
            agent.seconds_in_state,
            # an inbound call is held under its id negated
            inbound=agent.attempt_id is not None and agent.attempt_id < 0,
        )
        for agent in floor.agents
        if agent.state in _WORKING
    )


def calls_in_flight(calls: Iterable[OpenCall], now: datetime) -> CallsInFlight:
    """Calls that may still need an agent: queued and ringing ones, and answers waiting for one.

    Connected calls already have their agent; an answered call whose abandonment message has
    started will never take one.
    """
    observed = []
    for call in calls:
        if call.state in (AttemptState.QUEUED, AttemptState.DIALING, AttemptState.RINGING):
            since = call.dial_at or now
            observed.append(CallObservation(CallPhase.RINGING, (now - since).total_seconds()))
        elif call.state is AttemptState.ANSWERED and call.message_start_at is None:
            since = call.dial_at or call.queued_at
            observed.append(
                CallObservation(CallPhase.WAITING_FOR_AGENT, (now - since).total_seconds())
            )
    return CallsInFlight.of(observed)


def abandonment_counts(
    counts: Abandonment,
    amd: AmdVerdictCounts | None = None,
    amd_estimate: AmdFalsePositiveEstimate | None = None,
) -> AbandonmentCounts:
    """The counts pacing reads; with AMD, the MACHINE verdicts nobody heard and the estimated
    share of people among them, which pacing counts as abandoned."""
    return AbandonmentCounts(
        amd_machine_hangups_today=amd.machine_hangups_today if amd else 0,
        amd_machine_hangups_30_days=amd.machine_hangups_30_days if amd else 0,
        amd_person_given_machine=amd_estimate.person_given_machine if amd_estimate else 0.0,
        abandoned_today=counts.abandoned_today,
        live_answers_today=counts.live_answers_today,
        abandoned_30_days=counts.abandoned_30_days,
        live_answers_30_days=counts.live_answers_30_days,
        # The next hour should bring about as many live answers as the last one did.
        live_answers_expected=float(counts.live_answers_last_hour),
    )


def inbound_demand(waiting: int, offered_in_window: int) -> InboundDemand:
    """Callers waiting in the campaign's inbound queues now, and the rate at which they came
    over `INBOUND_RATE_WINDOW` (both take agents before outbound answers do)."""
    rate = offered_in_window / INBOUND_RATE_WINDOW.total_seconds()
    return InboundDemand(waiting=max(0, waiting), arrivals_per_second=rate)
