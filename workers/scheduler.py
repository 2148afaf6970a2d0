"""`dialer scheduler` runs here: the scheduler loop with Celery as its way to the workers."""

from __future__ import annotations

import logging
import signal
import sys
import threading
from types import FrameType

from campaigns.storage import claim_store
from campaigns.storage.db import open_pool
from dialer.agents.service import AgentService
from dialer.bootstrap import redis_client
from dialer.scheduler.leader import LeaderLease
from dialer.scheduler.loop import Scheduler
from dialer.settings import load_settings
from workers.enqueue import CeleryDialSender

log = logging.getLogger(__name__)


def main() -> int:
    settings = load_settings()
    logging.basicConfig(
        level=settings.log_level, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    if settings.database_url is None or settings.redis_url is None:
        print(
            "error: DATABASE_URL and REDIS_URL must be set; run `dialer scheduler`", file=sys.stderr
        )
        return 1
    pool = open_pool(settings.database_url, min_size=1, max_size=3, name="scheduler")
    client = redis_client(settings.redis_url)

    def allocate(leader: str) -> int:
        with pool.connection() as conn:
            return claim_store.next_fencing_token(conn, leader)

    scheduler = Scheduler(
        pool,
        client,
        AgentService(client, pool),
        CeleryDialSender(settings.redis_url),
        LeaderLease(client, allocate),
        data_dir=settings.data_dir,
    )
    stop = threading.Event()

    def request_stop(signum: int, _frame: FrameType | None) -> None:
        log.info("stopping on signal %s", signum)
        stop.set()

    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, request_stop)
    log.info("scheduler %s started", scheduler.lease.identity)
    scheduler.run(stop)
    pool.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
