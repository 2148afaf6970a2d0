"""Dial tasks from the dashboard: an agent's preview Dial goes to the workers like a scheduled one.

A bare Celery client (no tasks of its own): `send_task` by name on the workers' queue. One per
app, built on first use, so importing the dashboard connects to nothing.
"""

from __future__ import annotations

import threading

from celery import Celery
from flask import current_app

from dialer.bootstrap import kombu_url
from dialer.dial_queue import DIAL_QUEUE, DIAL_TASK, DialSender

_KEY = "dialer.dial_sender"
_lock = threading.Lock()


class CeleryDialSender:
    def __init__(self, redis_url: str) -> None:
        self.app = Celery("dialer-dashboard", broker=kombu_url(redis_url))
        self.app.conf.update(task_serializer="json", broker_connection_retry_on_startup=True)

    def dial(self, attempt_id: int, expires_s: float) -> None:
        self.app.send_task(DIAL_TASK, args=[attempt_id], queue=DIAL_QUEUE, expires=expires_s)


def dial_sender() -> DialSender:
    with _lock:
        sender: DialSender | None = current_app.extensions.get(_KEY)
        if sender is None:
            sender = CeleryDialSender(current_app.extensions["dialer.redis_url"])
            current_app.extensions[_KEY] = sender
    return sender
