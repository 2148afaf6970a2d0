"""What the scheduler publishes of each campaign's last pacing decision (Redis, one key per
campaign, for a minute): the wallboard, `dialer campaign status` and the live pacing bench read
it. A pure builder, so the shape is tested without a scheduler running."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from dialer.pacing import PacingDecision, PacingInputs

PACING_KEY = "dialer:pacing:"
# Gone a minute after the scheduler stops deciding: a stale decision is not shown as current.
PUBLISHED_FOR_S = 60


def pacing_state(
    decision: PacingDecision,
    inputs: PacingInputs,
    placed: int,
    now: datetime,
    amd_false_positives: dict[str, object] | None,
) -> dict[str, Any]:
    """The published JSON of one decision: what it decided and on what floor."""
    ready = inputs.agents.ready
    return {
        "at": now.isoformat(),
        "calls": decision.calls,
        "placed": placed,
        "reason": decision.reason.value,
        "alarms": [a.value for a in decision.alarms],
        "risk": round(decision.risk, 4),
        "ready_agents": ready,
        "working_agents": inputs.agents.working,
        "calls_in_flight": inputs.calls.count,
        "free_lines": inputs.free_lines,
        "dial_level": round(inputs.calls.count / ready, 2) if ready else None,
        "amd_false_positives": amd_false_positives,
    }
