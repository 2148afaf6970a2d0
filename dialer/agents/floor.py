"""The pacing's view of a campaign's agents: who is in which state, and for how long.

Read once per scheduler tick for all running campaigns in one Redis round trip
(AgentService.floors). For the pacing's inputs (dialer.pacing.AgentObservation), each agent gives
`state` and `seconds_in_state`: for on_call that is the talk time so far, for wrap_up the wrap-up
time so far, for reserved the time since the claim (the pacing counts it as a talk just begun).

An agent working several campaigns appears in the floor of each (`campaigns` says which): a ready
agent is one agent however many campaigns count them, which the pacing of blended campaigns has
to weigh.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from campaigns.agents import AgentState
from dialer.agents.live_state import FloorRow


@dataclass(frozen=True)
class AgentOnFloor:
    agent_id: int
    state: AgentState
    seconds_in_state: float
    reason: str | None
    attempt_id: int | None
    # The campaign of the call held (reserved, on call, wrap-up): may be another campaign.
    call_campaign_id: int | None
    campaigns: frozenset[int]


@dataclass(frozen=True)
class CampaignFloor:
    campaign_id: int
    at: datetime
    # Logged-in agents working the campaign, by agent id.
    agents: tuple[AgentOnFloor, ...]

    def in_state(self, state: AgentState) -> tuple[AgentOnFloor, ...]:
        return tuple(agent for agent in self.agents if agent.state is state)

    def count(self, state: AgentState) -> int:
        return len(self.in_state(state))

    def seconds_in(self, state: AgentState) -> tuple[float, ...]:
        """Seconds each agent in `state` has been in it (talk time for on_call, ...)."""
        return tuple(agent.seconds_in_state for agent in self.in_state(state))

    @property
    def ready(self) -> int:
        return self.count(AgentState.READY)

    @property
    def logged_in(self) -> int:
        return len(self.agents)


def floor_of(campaign_id: int, rows: Iterable[FloorRow], now: datetime) -> CampaignFloor:
    agents = tuple(
        AgentOnFloor(
            agent_id=row.agent_id,
            state=row.state,
            # Another host's clock may be ahead of ours: never a negative time in state.
            seconds_in_state=max(0.0, (now - row.since).total_seconds()),
            reason=row.reason,
            attempt_id=row.attempt_id,
            call_campaign_id=row.call_campaign_id,
            campaigns=row.campaigns,
        )
        for row in sorted(rows, key=lambda r: r.agent_id)
        if row.state is not AgentState.LOGGED_OUT
    )
    return CampaignFloor(campaign_id, now, agents)
