"""What the dial tasks of one worker process share, and the writes every part of an attempt makes:
closing the attempt row and telling the agent (or supervisors) about the call."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import redis
from psycopg_pool import ConnectionPool

from campaigns.storage import attempt_store
from campaigns.storage.attempt_store import AttemptResult as StoredResult
from campaigns.storage.attempt_store import AttemptToDial
from dialer import live_events
from dialer.agents.service import AgentService
from dialer.call_commands import CallCommandListener
from dialer.call_flow.detection import Detector
from dialer.telephony import Telephony

log = logging.getLogger(__name__)


@dataclass
class DialContext:
    """What one worker process shares between its dial tasks."""

    worker: str
    pool: ConnectionPool
    redis: redis.Redis
    telephony: Telephony
    agents: AgentService
    data_dir: Path
    now: Callable[[], datetime]
    # Attempts running in this process right now (the heartbeat's free-line count).
    running: int = 0
    _lock: threading.Lock = field(default_factory=threading.Lock)
    # Commands for running calls (the console's hang-up); None: this process takes none.
    commands: CallCommandListener | None = None
    # Answering-machine detection of this process; None: campaigns with AMD on fail to dial.
    detector: Detector | None = None
    # Where the inbound processes take calls (host:port): transfers to queues; None: refused.
    inbound_address: str | None = None

    def enter(self) -> None:
        with self._lock:
            self.running += 1

    def leave(self) -> None:
        with self._lock:
            self.running -= 1


def notify_agent(
    ctx: DialContext, to_dial: AttemptToDial, agent_id: int | None, message: str
) -> None:
    """A call notice for the agent on the call (their console shows it); no agent: for
    supervisors (the wallboard)."""
    event = live_events.CallNotice(
        to_dial.attempt_id, to_dial.campaign_id, agent_id, message, ctx.now()
    )
    try:
        live_events.publish(ctx.redis, event)
    except redis.RedisError as error:  # the log keeps it; the call goes on
        log.warning("attempt %s: notice not published: %s", to_dial.attempt_id, error)


def finish_attempt(ctx: DialContext, attempt_id: int, result: StoredResult) -> None:
    """Close the attempt row with its result (idempotent: the task's edge may close it again)."""
    with ctx.pool.connection() as conn:
        attempt_store.finish_attempt(conn, attempt_id, result, ctx.now())
