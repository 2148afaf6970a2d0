"""Housekeeping of call-list imports in the dashboard: imports whose process died are closed as
failed, and uploads nobody confirmed are deleted.

Both sweeps are cheap (one UPDATE over the unfinished imports; one directory listing) and run
where their results are looked at: the lists pages and the import status (page and API), each new
upload, and the dashboard's start. The scheduler also closes dead imports every few seconds, so a
status nobody looks at is right too.
"""

from __future__ import annotations

import logging
import shutil
import time
from dataclasses import dataclass
from pathlib import Path

from flask import Flask, current_app

from campaigns.contact_import.status import ImportState, ImportStatus
from campaigns.storage import import_liveness, import_store
from campaigns.storage.db import Connection
from dashboard.db import pool
from dashboard.list_uploads import uploads_dir
from dialer.settings import Settings

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class UploadSweep:
    deleted: int
    kept_in_use: int


def close_dead_imports(conn: Connection) -> list[int]:
    """Close the imports whose process is gone; delete the uploads they would have deleted."""
    dead = import_liveness.sweep_dead_imports(conn)
    uploads = uploads_dir().resolve()
    for found in dead:
        log.warning("list import %s: its process stopped; closed as failed", found.id)
        if found.file_path is not None:
            folder = Path(found.file_path).resolve().parent
            if folder.parent == uploads:
                shutil.rmtree(folder, ignore_errors=True)
    return [found.id for found in dead]


def current_import(conn: Connection, import_id: int) -> ImportStatus:
    """The import's status, closed first if it is unfinished and its process is gone."""
    status = import_store.get_import(conn, import_id)
    if status.state in (ImportState.QUEUED, ImportState.RUNNING) and close_dead_imports(conn):
        status = import_store.get_import(conn, import_id)
    return status


def delete_abandoned_uploads(
    conn: Connection, uploads: Path, max_age_s: float, now: float | None = None
) -> UploadSweep:
    """Delete the upload folders last written more than `max_age_s` ago, except those holding the
    file of an import that is queued or running."""
    if not uploads.is_dir():
        return UploadSweep(0, 0)
    now = time.time() if now is None else now
    in_use = {Path(path).resolve().parent for path in import_liveness.files_in_use(conn)}
    deleted = kept = 0
    for folder in uploads.iterdir():
        try:
            age = now - folder.stat().st_mtime
        except FileNotFoundError:  # deleted meanwhile by its import or another sweep
            continue
        if not folder.is_dir() or age <= max_age_s:
            continue
        if folder.resolve() in in_use:
            kept += 1
            continue
        shutil.rmtree(folder, ignore_errors=True)
        deleted += 1
    if deleted:
        log.info(
            "uploads: %s abandoned upload(s) older than %.0f h deleted", deleted, max_age_s / 3600
        )
    return UploadSweep(deleted, kept)


def sweep_uploads(conn: Connection) -> UploadSweep:
    settings: Settings = current_app.config["DIALER_SETTINGS"]
    return delete_abandoned_uploads(conn, uploads_dir(), settings.upload_max_age_hours * 3600.0)


def sweep_at_start(app: Flask) -> None:
    """Both sweeps once, when a dashboard process starts (after a crash is when they matter)."""
    try:
        with app.app_context(), pool(app).connection() as conn:
            close_dead_imports(conn)
            sweep_uploads(conn)
    except Exception:  # housekeeping must never keep the dashboard from starting
        log.exception("import housekeeping at start failed")
