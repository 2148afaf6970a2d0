"""Workers announce themselves and their free lines in Redis; a missing heartbeat means dead.

Each worker process refreshes one hash with an expiry every second. The scheduler sums the free
lines of live workers so it never queues more attempts than can be placed, and the reaper closes
attempts whose worker's heartbeat is gone.
"""

from __future__ import annotations

from dataclasses import dataclass

import redis

_PREFIX = "dialer:worker:"
HEARTBEAT_TTL_S = 5


@dataclass(frozen=True)
class WorkerStatus:
    name: str
    # Attempts it can run at once and how many of them are free now.
    lines_total: int
    lines_free: int
    sip_address: str
    pid: int


def publish(client: redis.Redis, status: WorkerStatus) -> None:
    key = _PREFIX + status.name
    with client.pipeline() as pipe:
        pipe.hset(
            key,
            mapping={
                "lines_total": status.lines_total,
                "lines_free": status.lines_free,
                "sip_address": status.sip_address,
                "pid": status.pid,
            },
        )
        pipe.expire(key, HEARTBEAT_TTL_S)
        pipe.execute()


def withdraw(client: redis.Redis, name: str) -> None:
    client.delete(_PREFIX + name)


def live_workers(client: redis.Redis) -> list[WorkerStatus]:
    keys = sorted(client.scan_iter(match=_PREFIX + "*", count=500))
    if not keys:
        return []
    with client.pipeline() as pipe:
        for key in keys:
            pipe.hgetall(key)
        rows = pipe.execute()
    found = []
    for key, row in zip(keys, rows, strict=True):
        if not row:  # expired between SCAN and HGETALL
            continue
        name = key.decode() if isinstance(key, bytes) else str(key)
        field = {
            (k.decode() if isinstance(k, bytes) else str(k)): (
                v.decode() if isinstance(v, bytes) else str(v)
            )
            for k, v in row.items()
        }
        found.append(
            WorkerStatus(
                name=name.removeprefix(_PREFIX),
                lines_total=int(field["lines_total"]),
                lines_free=int(field["lines_free"]),
                sip_address=field["sip_address"],
                pid=int(field["pid"]),
            )
        )
    return found
