"""What the wallboard shows of a campaign's inbound queues: callers waiting, the longest wait,
each caller's place and an estimated wait from recent handle times.

The waiting line (Redis, waiting_line) gives the callers and their offer times; the handle time
(talk plus wrap-up until the disposition) comes from the queue's answered calls of the last
hour (inbound_calls); the agents are the campaign's, as the wallboard reads them from their
live state. The estimate is a pure function so that it can be checked by hand:

    a caller at place p (0: next) waits nothing while p < ready agents; otherwise the callers
    ahead of them that ready agents cannot take, plus themself, each wait for one of the
    N agents serving (ready, reserved, on call, wrap-up) to finish a call of mean length:
        wait(p) = (p - ready + 1) * handle_s / N

It assumes calls end evenly spread and no one leaves the line (outbound answers never take an
agent a waiting caller will be given: dialer.agents.scripts): a rough guide, said to the caller
rounded up to whole minutes (dialer.inbound.place_news). No handle time in the last hour or no
agent serving: no estimate (null).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

import redis

from campaigns.agents import AgentState
from campaigns.storage import wallboard_store
from campaigns.storage.db import Connection
from dialer.inbound.waiting_line import WaitingLine

HANDLE_WINDOW = timedelta(hours=1)
# Callers listed one by one per queue; the counts cover the whole line.
CALLERS_SHOWN = 20
_SERVING = frozenset(
    {AgentState.READY, AgentState.RESERVED, AgentState.ON_CALL, AgentState.WRAP_UP}
)


@dataclass(frozen=True)
class WaitingCaller:
    call_id: int
    position: int  # 0: the next to be served
    waited_s: float
    estimated_wait_s: float | None


@dataclass(frozen=True)
class QueueBoard:
    queue_id: int
    name: str
    waiting: int
    longest_wait_s: float | None
    # What a caller joining now may expect.
    estimated_wait_s: float | None
    handle_s: float | None  # mean handle time of the last hour's answered calls
    handled: int  # how many calls that mean is over
    callers: tuple[WaitingCaller, ...]


def estimated_wait(position: int, ready: int, serving: int, handle_s: float | None) -> float | None:
    """Seconds a caller at ``position`` may still wait (see the module's note)."""
    if position < ready:
        return 0.0
    if handle_s is None or serving <= 0:
        return None
    return (position - ready + 1) * handle_s / serving


def _ready_and_serving(agent_states: Iterable[AgentState]) -> tuple[int, int]:
    states = list(agent_states)
    return (
        sum(state is AgentState.READY for state in states),
        sum(state in _SERVING for state in states),
    )


def caller_estimate(
    conn: Connection,
    campaign_id: int,
    queue_id: int,
    position: int,
    agent_states: Iterable[AgentState],
    now: datetime,
) -> float | None:
    """The estimated wait of the caller at ``position`` (0: next) of one queue, as the
    wallboard shows it."""
    ready, serving = _ready_and_serving(agent_states)
    handle = next(
        (
            queue.handle_s
            for queue in wallboard_store.queue_handle_times(conn, campaign_id, now - HANDLE_WINDOW)
            if queue.queue_id == queue_id
        ),
        None,
    )
    return estimated_wait(position, ready, serving, handle)


def queue_boards(
    conn: Connection,
    client: redis.Redis,
    campaign_id: int,
    agent_states: Iterable[AgentState],
    now: datetime,
) -> tuple[QueueBoard, ...]:
    ready, serving = _ready_and_serving(agent_states)
    boards = []
    for queue in wallboard_store.queue_handle_times(conn, campaign_id, now - HANDLE_WINDOW):
        waiting_line = WaitingLine(client, queue.queue_id)
        line = waiting_line.waiting(CALLERS_SHOWN)
        waiting = waiting_line.size()
        at = now.timestamp()
        callers = tuple(
            WaitingCaller(
                call_id=call_id,
                position=position,
                waited_s=round(max(0.0, at - offered), 1),
                estimated_wait_s=_rounded(estimated_wait(position, ready, serving, queue.handle_s)),
            )
            for position, (call_id, offered) in enumerate(line)
        )
        boards.append(
            QueueBoard(
                queue_id=queue.queue_id,
                name=queue.name,
                waiting=waiting,
                longest_wait_s=callers[0].waited_s if callers else None,
                estimated_wait_s=_rounded(estimated_wait(waiting, ready, serving, queue.handle_s)),
                handle_s=_rounded(queue.handle_s),
                handled=queue.handled,
                callers=callers,
            )
        )
    return tuple(boards)


def _rounded(seconds: float | None) -> float | None:
    return None if seconds is None else round(seconds, 1)
