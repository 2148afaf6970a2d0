"""Shared builders for call-flow unit tests: a recording reporter and a scripted claimer."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

from dialer.call_flow import (
    AgentRef,
    AgentRelease,
    AttemptResult,
    AttemptSpec,
    HandoffPolicy,
    Milestone,
)
from dialer.telephony import E164, TrunkConfig

TRUNK = TrunkConfig("carrier", "sip:{number}@127.0.0.1:15060", E164("+14155550100"))
NUMBER = E164("+442079460000")
CUSTOMER_URI = TRUNK.request_uri(NUMBER)
MESSAGE = Path("/nonexistent/abandon.wav")


def spec(*, handoff: bool = False, ring: float = 20.0, attempt: str = "a1") -> AttemptSpec:
    return AttemptSpec(
        attempt_id=attempt,
        number=NUMBER,
        trunk=TRUNK,
        ring_timeout=timedelta(seconds=ring),
        handoff=HandoffPolicy(MESSAGE) if handoff else None,
    )


@dataclass
class Reporter:
    progress_seen: list[tuple[Milestone, datetime]] = field(default_factory=list)
    results: list[AttemptResult] = field(default_factory=list)

    def progress(self, attempt_id: str, milestone: Milestone, at: datetime) -> None:
        self.progress_seen.append((milestone, at))

    def finished(self, result: AttemptResult) -> None:
        self.results.append(result)


@dataclass
class Claimer:
    """Hands out the given agents in order, then none."""

    agents: list[AgentRef]
    released: list[tuple[str, AgentRelease]] = field(default_factory=list)
    # Ready agents a transfer may ask for by id; who took a call over by a transfer.
    others: dict[str, AgentRef] = field(default_factory=dict)
    took: list[str] = field(default_factory=list)
    joins: list[str] = field(default_factory=list)

    def claim_agent(
        self, attempt_id: str, only_agent_id: str | None = None, until: datetime | None = None
    ) -> AgentRef | None:
        if only_agent_id is not None:  # a transfer to that agent: ready (in ``others``) or not
            return self.others.pop(only_agent_id, None)
        return self.agents.pop(0) if self.agents else None

    def release_agent(self, agent: AgentRef, reason: AgentRelease) -> None:
        self.released.append((agent.agent_id, reason))

    def took_over(self, agent: AgentRef) -> None:
        self.took.append(agent.agent_id)

    def joined(self, agent: AgentRef) -> None:
        self.joins.append(agent.agent_id)
