"""Call recordings on disk: where a stored path points, and the retention sweep.

The attempt keeps the recording's path relative to the data dir (the worker wrote it there);
anything resolving outside the recordings folder is refused, whatever the row says.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from campaigns.storage import recording_store
from campaigns.storage.db import Connection

log = logging.getLogger(__name__)

RECORDINGS = "recordings"


def recording_file(data_dir: Path, stored_as: str) -> Path | None:
    """The file a stored path names, if it lies inside the data dir's recordings folder."""
    folder = (data_dir / RECORDINGS).resolve()
    path = (data_dir / stored_as).resolve()
    if not path.is_relative_to(folder):
        log.warning("recording path %r is outside %s: refused", stored_as, folder)
        return None
    return path


@dataclass(frozen=True)
class Swept:
    deleted: int
    missing: int


def sweep_expired(conn: Connection, data_dir: Path, now: datetime) -> Swept:
    """Delete recordings (outbound and inbound) past their campaign's retention; the call's row
    says when."""
    deleted = missing = 0
    while True:
        batch = recording_store.expired_recordings(conn, now)
        for recording in batch:
            path = recording_file(data_dir, recording.path)
            if path is not None and path.exists():
                path.unlink()
                deleted += 1
            else:  # already gone (or another host's disk): the row must not ask again
                missing += 1
            recording_store.mark_deleted(conn, recording, now)
        if not batch:
            return Swept(deleted, missing)
