"""What one inbound process shares between the calls it drives (dialer.inbound.process builds it
once; each call's thread and its parts read it)."""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import redis
from psycopg_pool import ConnectionPool

from dialer.agents.service import AgentService
from dialer.agents.waiting_offers import WaitingOffers
from dialer.call_commands import CallCommandListener
from dialer.telephony.user_agent import UserAgent

AGENT_RING_S = 8.0  # an agent's phone that does not answer by then: the next agent is tried
VOICEMAIL_MAX_S = 60.0


@dataclass
class InboundContext:
    """What one inbound process shares between its calls."""

    worker: str
    pool: ConnectionPool
    redis: redis.Redis
    telephony: UserAgent
    agents: AgentService
    offers: WaitingOffers
    data_dir: Path
    now: Callable[[], datetime]
    stopping: threading.Event = field(default_factory=threading.Event)
    # The console's commands for answered calls (hang-up, hold, mute, DTMF, recording).
    commands: CallCommandListener | None = None
    agent_ring_s: float = AGENT_RING_S
    voicemail_max_s: float = VOICEMAIL_MAX_S
