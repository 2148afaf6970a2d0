"""The port through which attempts are handed to the workers.

`dialer` does not import Celery (STYLE.md): the implementation (workers/enqueue.py) is wired in by
the process entry points in workers/ that the `dialer scheduler` and `dialer bench calls`
commands start, as `dialer workers` starts Celery and `dialer dashboard` starts gunicorn.
"""

from __future__ import annotations

from typing import Protocol

# The broker queue and the task name of dial tasks (workers/app.py, workers/tasks.py): every
# sender, the scheduler's or the dashboard's (preview dials), must name the same ones.
DIAL_QUEUE = "dials"
DIAL_TASK = "dialer.dial"


class DialSender(Protocol):
    def dial(self, attempt_id: int, expires_s: float) -> None:
        """Hand one queued attempt to a worker; it is dropped unseen after expires_s."""
        ...
