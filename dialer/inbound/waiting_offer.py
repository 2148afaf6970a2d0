"""Whom a queued caller who found no ready agent may be offered to as a second call: the busy
agents of the queue's campaign as the pure rules (dialer.agents.call_waiting) need them, read
from the agents' live state, their offers in Redis and their setting in PostgreSQL."""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime

from campaigns.agents import AgentState
from campaigns.storage import agent_store
from dialer.agents.call_waiting import CallWaiting, Candidate, Phase, choose_offer
from dialer.agents.service import AgentService
from dialer.agents.waiting_offers import WaitingOffers


def find_offer(
    agents: AgentService,
    offers: WaitingOffers,
    campaign_id: int,
    inbound_call_id: int,
    queue_name: str,
    caller: str,
    now: datetime,
    passed_over: Collection[int] = (),
) -> CallWaiting | None:
    """The offer to place now, or None; `passed_over`: agents who declined this caller."""
    floor = agents.live.floors([campaign_id]).get(campaign_id, [])
    talking = [
        row.agent_id
        for row in floor
        if row.state is AgentState.ON_CALL and row.agent_id not in passed_over
    ]
    if not talking:
        return None
    with agents.db.connection() as conn:
        willing = agent_store.with_call_waiting(conn, talking)
    if not willing:
        return None
    phases = offers.phases(sorted(willing))
    candidates = [
        Candidate(
            status=agents.status(agent_id),
            call_waiting=True,
            offered=phases.get(agent_id) is Phase.OFFERED,
            holding=phases.get(agent_id) is Phase.ON_SECOND,
        )
        for agent_id in sorted(willing)
    ]
    return choose_offer(candidates, campaign_id, inbound_call_id, queue_name, caller, now)
