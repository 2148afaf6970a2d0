"""The Celery app that carries dial tasks from the scheduler to the worker processes.

Broker choices for phone calls (PJSUA2_NOTES.md, ECOSYSTEM_NOTES.md):
- acks early (Celery's default): a task interrupted by a crash is not delivered again. At-least-once
  delivery would not make calls safer: the attempt row's compare-and-set already refuses a second
  dial, and an attempt whose worker died is closed by the reaper and retried by campaign policy.
- a threads pool of 2 and no prefetch at all: a dial task blocks for the whole call, and a process
  must never hold more attempts than its 4 pjsua2 legs can carry. Prefetch 1 is not enough: with
  early acks the two running tasks are acked, so a worker with both lines busy still reserved two
  more, and a new attempt landed on a busy worker 98 % of the time at 100 lines, waiting there for
  a call to end (3.4 s from queued to dial on average in `dialer bench calls`, lines idle
  meanwhile). `worker_disable_prefetch` (Redis, Celery 5.6+) fetches only with a thread free.
- Redis's visibility timeout only matters for prefetched messages of a dead worker; dial tasks
  expire within seconds and their attempts expire in the database, so the default hour is harmless.
"""

from __future__ import annotations

import os

from celery import Celery

from dialer.bootstrap import kombu_url
from dialer.dial_queue import DIAL_QUEUE

__all__ = ["DIAL_QUEUE", "app", "create_app"]


def create_app(redis_url: str) -> Celery:
    app = Celery("dialer", broker=kombu_url(redis_url), include=["workers.tasks"])
    app.conf.update(
        task_default_queue=DIAL_QUEUE,
        task_ignore_result=True,
        task_acks_late=False,
        worker_prefetch_multiplier=1,
        worker_disable_prefetch=True,
        task_serializer="json",
        accept_content=["json"],
        broker_connection_retry_on_startup=True,
        # Keep trying through a Redis restart rather than exiting with calls up.
        broker_connection_max_retries=None,
        worker_hijack_root_logger=False,
        worker_redirect_stdouts=False,
        worker_send_task_events=False,
        enable_utc=True,
    )
    return app


# `celery -A workers.app` needs a module-level app. Building it connects to nothing; the URL comes
# from the environment that `dialer workers` / `dialer scheduler` set up (embedded or configured).
app = create_app(os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379/0")
