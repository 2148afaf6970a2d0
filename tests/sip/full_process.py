"""One dial worker process with every leg taken: two calls bridged to two baresip agents (bob
and carol) are its 4 legs, the state in which a call feature needing a leg must be refused."""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from campaigns.agents import AgentState
from dialer import call_commands, live_events
from dialer.bootstrap import redis_client
from dialer.carrier.baresip import BaresipAgent

from .agent_floor import Floor
from .workers_harness import Workers, enqueue, running_workers


def notices(redis_url: str, attempt: int) -> list[str]:
    """The call notices published about ``attempt`` (to its agent or to supervisors)."""
    return [
        str(event.data["message"])
        for event in live_events.latest(redis_client(redis_url), 300)
        if event.type is live_events.EventType.CALL_NOTICE and event.data["attempt_id"] == attempt
    ]


@dataclass
class FullProcess:
    workers: Workers
    attempts: list[int]
    floor: Floor

    def wait_for_notice(self, attempt: int, seconds: float = 5.0) -> list[str]:
        """The call notices of ``attempt`` once one came, and a second more (no disturbance
        shows up at once)."""
        deadline = time.monotonic() + seconds
        while not notices(self.workers.redis_url, attempt) and time.monotonic() < deadline:
            time.sleep(0.1)
        time.sleep(1.0)
        return notices(self.workers.redis_url, attempt)

    def agent_states(self) -> tuple[AgentState, AgentState]:
        return self.floor.status("bob").state, self.floor.status("carol").state

    def hang_up(self) -> None:
        client = redis_client(self.workers.redis_url)
        for attempt in self.attempts:
            call_commands.request_hangup(client, attempt, "test")


@contextmanager
def full_process(
    floor: Floor, env: dict[str, str], tmp_path: Path, mic: Path, numbers: tuple[str, str]
) -> Iterator[FullProcess]:
    with (
        BaresipAgent(tmp_path, mic, user="bob") as bob_phone,
        BaresipAgent(tmp_path, mic, user="carol") as carol_phone,
    ):
        floor.agent("bob", bob_phone.uri)
        floor.agent("carol", carol_phone.uri)
        # One worker process, two lines: two bridged calls are its 4 legs.
        with running_workers(env, 2, tmp_path) as workers:
            attempts = floor.attempts(*numbers)
            enqueue(workers.redis_url, attempts)
            floor.wait_state("bob", AgentState.ON_CALL, timeout=30)
            floor.wait_state("carol", AgentState.ON_CALL, timeout=30)
            yield FullProcess(workers, attempts, floor)
