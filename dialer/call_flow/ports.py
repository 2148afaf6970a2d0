"""What the call-flow driver needs from the rest of the system (Postgres, Redis, Celery)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Protocol

from dialer.call_flow.inputs import FlowEvent
from dialer.call_flow.model import AgentRef, AgentRelease, AttemptResult, Milestone, TransferReport


class Clock(Protocol):
    def now(self) -> datetime: ...


class SystemClock:
    def now(self) -> datetime:
        return datetime.now(UTC)


class AttemptReporter(Protocol):
    """Receives the attempt's progress (live pages) and its final record (the CDR)."""

    def progress(self, attempt_id: str, milestone: Milestone, at: datetime) -> None: ...

    def finished(self, result: AttemptResult) -> None: ...


class AgentClaimer(Protocol):
    """Claims a ready agent atomically (no agent gets two calls) and hands agents back."""

    def claim_agent(
        self, attempt_id: str, only_agent_id: str | None = None, until: datetime | None = None
    ) -> AgentRef | None:
        """Any ready agent of the campaign; with ``only_agent_id`` that agent or nobody.
        ``until``: the answer may wait for an agent until then; the claimer may leave a freed
        agent to an answer with an earlier deadline (it asks again every CLAIM_RETRY)."""
        ...

    def release_agent(self, agent: AgentRef, reason: AgentRelease) -> None: ...

    def took_over(self, agent: AgentRef) -> None:
        """A transfer made ``agent`` (claimed with only_agent_id) the attempt's agent."""
        ...

    def joined(self, agent: AgentRef) -> None:
        """A three-way call brought ``agent`` (claimed with only_agent_id) onto the call: on
        call with it, the attempt staying its agent's."""
        ...


class NoAgents:
    """The claimer of a campaign without agents: every answer is abandoned."""

    def claim_agent(
        self, attempt_id: str, only_agent_id: str | None = None, until: datetime | None = None
    ) -> AgentRef | None:
        return None

    def release_agent(self, agent: AgentRef, reason: AgentRelease) -> None:
        pass

    def took_over(self, agent: AgentRef) -> None:
        pass

    def joined(self, agent: AgentRef) -> None:
        pass


class CallDesk(Protocol):
    """The agent's side of a running call: requests from the console that change the call's
    legs (a transfer), and what became of them. Called from the attempt's own thread."""

    def next_request(self) -> FlowEvent | None:
        """The oldest request not yet taken, without waiting."""
        ...

    def transfer_reported(self, report: TransferReport) -> None: ...
