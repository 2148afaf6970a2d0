"""Whether PostgreSQL can take the worker processes about to start.

Each worker process keeps a pool of 1 to WORKER_POOL_MAX connections (two dial threads, the
command listener and the recording sweep share it). 200 lines are 100 processes, so 100
connections before the first call: as many as PostgreSQL's default max_connections. Found in
`dialer bench calls --lines 200`: the 100th worker never came up ("sorry, too many clients
already") and the run stalled waiting for it. Refusing at start with the figures is better than
a worker retrying forever with calls waiting (docs/telephony.md, pitfall 12).
"""

from __future__ import annotations

from dataclasses import dataclass

from campaigns.storage.server_store import ConnectionSlots

WORKER_POOL_MIN = 1
WORKER_POOL_MAX = 4


class ConnectionBudgetExceeded(Exception):
    """The server cannot give every worker process its first connection."""


@dataclass(frozen=True)
class ConnectionBudget:
    processes: int
    at_start: int  # every process's first connection
    at_peak: int  # every pool full
    free: int

    @property
    def warning(self) -> str | None:
        if self.at_peak <= self.free:
            return None
        return (
            f"{self.processes} worker processes may use up to {self.at_peak} PostgreSQL "
            f"connections under load and {self.free} are free: calls will wait for connections "
            f"at peaks (raise max_connections)"
        )


def check_worker_connections(slots: ConnectionSlots, processes: int) -> ConnectionBudget:
    """The budget for `processes` more workers; raises when even their first connections do not
    fit."""
    budget = ConnectionBudget(
        processes, processes * WORKER_POOL_MIN, processes * WORKER_POOL_MAX, slots.free
    )
    if budget.at_start > slots.free:
        raise ConnectionBudgetExceeded(
            f"{processes} worker processes need at least {budget.at_start} PostgreSQL connections "
            f"and {slots.free} are free (max_connections {slots.max_connections}, "
            f"{slots.reserved} reserved, {slots.in_use} in use): raise max_connections on the "
            f"server or start fewer lines on this host"
        )
    return budget
