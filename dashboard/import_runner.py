"""Runs a queued list import off the request, in a thread of the dashboard's worker process.

Why a thread and not a Celery task or a `dialer lists import` subprocess: `service.start_import`
has already checked the file and the mapping inside the request (a bad upload is refused at
once, with nothing queued), and the heavy part of `service.run_import` happens in worker
processes it starts with the *spawn* method, so this thread mostly waits on them and on
PostgreSQL and does not hold the GIL against page requests; spawned children also avoid forking
a threaded gunicorn worker. `run_import` claims the import (queued -> running) and commits the
list in one transaction at the end, so a failure, or a worker killed half way, leaves the
campaign as it was and the error (or "interrupted") in the import's status. The thread holds the
import's liveness lock from before it waits for a free slot, so an import queued in a process that
dies is closed by the sweep too (dashboard.import_sweeps).
"""

from __future__ import annotations

import logging
import shutil
import threading
from pathlib import Path

from flask import current_app

from campaigns.contact_import import service
from campaigns.errors import CampaignsError
from campaigns.storage import import_liveness
from campaigns.storage.db import connect
from dashboard.db import pool

log = logging.getLogger(__name__)

# Imports in one dashboard process at a time beyond which a new one waits its turn: each takes
# both cores for its worker processes already.
_SLOTS = threading.BoundedSemaphore(2)


def database_url() -> str:
    """This process's database, for code that opens its own connections (the import engine)."""
    return str(pool(current_app).conninfo)


def start_in_background(import_id: int, upload_folder: Path | None = None) -> threading.Thread:
    """Run the import; then delete `upload_folder` (the uploaded file): the contacts and the
    rejected rows are in the database by then, and a failed import is uploaded again."""
    thread = threading.Thread(
        target=_run,
        args=(database_url(), import_id, upload_folder),
        name=f"list-import-{import_id}",
        daemon=True,
    )
    thread.start()
    return thread


def _run(url: str, import_id: int, upload_folder: Path | None) -> None:
    try:
        with connect(url) as holder:
            import_liveness.hold_alive(holder, import_id)
            with _SLOTS:
                service.run_import(url, import_id)
    except CampaignsError as error:  # recorded in the import's status by run_import
        log.warning("list import %s failed: %s", import_id, error)
    except Exception:  # a thread's edge: log it, the status already says failed
        log.exception("list import %s failed", import_id)
    finally:
        if upload_folder is not None:
            shutil.rmtree(upload_folder, ignore_errors=True)
