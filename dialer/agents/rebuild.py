"""Rebuilding the live state from PostgreSQL when Redis has none (first start, Redis lost).

Decision: an agent who was logged in comes back paused, reason "system_restart", never ready. We
cannot know whether their phone and console survived whatever emptied Redis, and a ready agent
with a dead phone loses the next customer who answers; one click makes them ready again. Agents
on a call or in wrap-up come back paused too: the worker that held their call, if it still runs,
finds on hand-back that they no longer hold it and leaves them alone (service.release returns
False). An agent whose campaigns were all taken away, or whose login was disabled, is logged out.
Agents not logged in come back logged out with their change count, so history stays in order.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime

from campaigns.agent_history import StateChange, SystemPause
from campaigns.agents import Agent, AgentState
from campaigns.storage.agent_history_store import LastState
from dialer.agents.codec import AgentProfile
from dialer.agents.model import LiveStatus


@dataclass(frozen=True)
class Rebuilt:
    profile: AgentProfile
    status: LiveStatus
    # The history row of the new status; None when the agent's state did not change.
    change: StateChange | None


def plan_rebuild(
    agents: Iterable[Agent], last: Mapping[int, LastState], now: datetime
) -> list[Rebuilt]:
    plan = []
    for agent in agents:
        profile = AgentProfile(agent.id, agent.username, agent.display_name, agent.spec.sip_uri)
        previous = last.get(agent.id)
        seq = previous.seq if previous else 0
        out = LiveStatus(agent.id, AgentState.LOGGED_OUT, since=now, seq=seq)
        if previous is None or previous.state is AgentState.LOGGED_OUT:
            plan.append(Rebuilt(profile, out, None))
            continue
        campaigns = previous.campaigns & frozenset(agent.spec.campaign_ids)
        if agent.disabled or not campaigns:
            logged_out = LiveStatus(agent.id, AgentState.LOGGED_OUT, since=now, seq=seq + 1)
            plan.append(Rebuilt(profile, logged_out, logged_out.change()))
            continue
        paused = LiveStatus(
            agent.id,
            AgentState.PAUSED,
            since=now,
            seq=seq + 1,
            campaigns=campaigns,
            reason=SystemPause.SYSTEM_RESTART.value,
        )
        plan.append(Rebuilt(profile, paused, paused.change()))
    return plan
