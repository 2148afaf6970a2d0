"""Finding free UDP ports, so parallel test runs and worker processes never collide."""

from __future__ import annotations

import math
import random
import socket
import threading
import time
from collections.abc import Iterable

# The band this project's tests and demo use; 5060 stays free for real SIP servers.
TEST_PORT_RANGE = (15000, 15999)
# Robot agents' phone lines: chosen when the robots are provisioned, bound only when their
# processes start, which can be a minute later. In the shared band, a process started meanwhile
# (the demo carrier's sipp, whose media port p also binds p + 2) was handed one of them and the
# robot could never start; their own band keeps them apart from everything else.
ROBOT_LINE_RANGE = (17000, 17999)
# RTP ranges come in blocks (4 calls x 2 ports per process, x processes): taken from their own
# wider band so that a test taking a 32-port block never finds the SIP band fragmented.
# Clear of DIALER_RTP_PORT_BASE's default (20000 + k x 40) for workers running beside the tests.
TEST_RTP_RANGE = (30000, 39999)
# A port handed out is not handed out again for this long, even if still unbound: the
# process it was meant for may not have bound it yet.
_QUARANTINE_SECONDS = 120.0
_given: dict[int, float] = {}
_given_lock = threading.Lock()


def _udp_free(address: str, port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        try:
            sock.bind((address, port))
        except OSError:
            return False
    return True


def free_udp_port(
    low: int = TEST_PORT_RANGE[0],
    high: int = TEST_PORT_RANGE[1],
    *,
    address: str = "127.0.0.1",
    block: int = 1,
    exclude: Iterable[int] = (),
    hold: bool = False,
) -> int:
    """A port p with p..p+block-1 all free for UDP on ``address`` (e.g. an RTP range).

    Random order, and never a port this process handed out in the last two minutes, so
    concurrent callers do not collide; other processes can still race, so bind soon after.
    ``hold`` keeps the ports out of later answers for the life of this process: for a
    long-lived endpoint whose RTP ports are bound only while it has calls (otherwise a
    baresip started minutes later could be given one of them as its SIP port).
    """
    starts = list(range(low, high - block + 2, max(1, block)))
    random.shuffle(starts)
    with _given_lock:
        now = time.monotonic()
        for port, at in list(_given.items()):
            if now - at > _QUARANTINE_SECONDS:
                del _given[port]
        excluded = set(exclude) | set(_given)
        for start in starts:
            candidates = range(start, start + block)
            if excluded.intersection(candidates):
                continue
            if all(_udp_free(address, p) for p in candidates):
                _given.update({p: math.inf if hold else now for p in candidates})
                return start
    raise OSError(f"no {block} free UDP ports between {low} and {high}")
