"""Celery tasks: thin. Ids in, one service call, idempotent by the attempt row's state."""

from __future__ import annotations

import logging

from dialer.dialing import dial_attempt
from workers import process
from workers.app import app

log = logging.getLogger(__name__)


@app.task(name="dialer.dial", ignore_result=True)
def dial(attempt_id: int) -> str | None:
    """Place one call attempt and return when it is completely over."""
    outcome = dial_attempt(int(attempt_id), process.context())
    return None if outcome is None else outcome.value
