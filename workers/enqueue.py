"""Enqueuing dial tasks (the scheduler's side of the broker)."""

from __future__ import annotations

from dialer.dial_queue import DIAL_TASK
from workers.app import DIAL_QUEUE, create_app


class CeleryDialSender:
    def __init__(self, redis_url: str) -> None:
        self.app = create_app(redis_url)

    def dial(self, attempt_id: int, expires_s: float) -> None:
        # A short expiry: a dial task that waited too long is dropped by the worker unseen; the
        # attempt itself expires in the database as well, so this is only an optimisation.
        self.app.send_task(DIAL_TASK, args=[attempt_id], queue=DIAL_QUEUE, expires=expires_s)
