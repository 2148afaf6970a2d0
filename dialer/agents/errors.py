"""Errors of the agents' live state; Conflict subclasses, so the CLI and the dashboard already
know how to show them (the request contradicts the agent's current state)."""

from __future__ import annotations

from campaigns.agents import AgentState
from campaigns.errors import Conflict


class IllegalTransition(Conflict):
    """The event is not allowed in the agent's current state; the message says why."""

    def __init__(self, agent_id: int, state: AgentState, event: str, why: str) -> None:
        super().__init__(f"agent {agent_id} is {state.value}: cannot {event} ({why})")
        self.agent_id = agent_id
        self.state = state
        self.event = event


class NotHoldingAttempt(IllegalTransition):
    """A hand-back named an attempt the agent no longer holds (already released, or the live
    state was rebuilt meanwhile): nothing to do for this caller."""
