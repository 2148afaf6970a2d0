"""The port through which attempts are handed to the workers.

`dialer` does not import Celery (STYLE.md): the implementation (workers/enqueue.py) is wired in by
the process entry points in workers/ that the `dialer scheduler` and `dialer bench calls`
commands start, as `dialer workers` starts Celery and `dialer dashboard` starts gunicorn.
"""

from __future__ import annotations

from typing import Protocol


class DialSender(Protocol):
    def dial(self, attempt_id: int, expires_s: float) -> None:
        """Hand one queued attempt to a worker; it is dropped unseen after expires_s."""
        ...
