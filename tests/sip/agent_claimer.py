"""A claimer that hands out its agents in order and keeps what they were released for."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from dialer.call_flow import AgentRef, AgentRelease


@dataclass
class Claimer:
    agents: list[AgentRef]
    released: list[tuple[str, AgentRelease]] = field(default_factory=list)

    def claim_agent(
        self, attempt_id: str, only_agent_id: str | None = None, until: datetime | None = None
    ) -> AgentRef | None:
        return self.agents.pop(0) if self.agents and only_agent_id is None else None

    def release_agent(self, agent: AgentRef, reason: AgentRelease) -> None:
        self.released.append((agent.agent_id, reason))

    def took_over(self, agent: AgentRef) -> None:
        pass

    def joined(self, agent: AgentRef) -> None:
        pass
