"""Importing a call list: the calls the CLI, the dashboard and the JSON API make.

    import_id = start_import(conn, campaign_id, path, filename, options)  # checks, queues
    status = run_import(database_url, import_id, on_progress)              # does the work
    status = get_import(conn, import_id)                                   # poll meanwhile

`start_import` reads the file's header and first rows and resolves the mapping, so a bad upload
is refused at once with a ValidationError or UnreadableFile, before any task is queued.
`run_import` is idempotent: it claims the import (queued -> running) and does nothing when it is
no longer queued, so a task the broker delivers twice imports once. While it runs, its connections
hold the import's liveness lock (campaigns.storage.import_liveness): if its process dies, the
import's transaction is rolled back and `sweep_dead_imports` closes the import as failed.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

from campaigns.contact_import.chunk_writer import CHUNK_LINES, ChunkWriter
from campaigns.contact_import.options import ImportOptions, validate_options
from campaigns.contact_import.pipeline import BATCH_ROWS, Progress, normalise_rows
from campaigns.contact_import.preview import preview_file
from campaigns.contact_import.rows import plan_rows
from campaigns.contact_import.source import open_table
from campaigns.contact_import.status import ImportPhase, ImportStatus
from campaigns.errors import (
    CampaignsError,
    ImportFailed,
    NotFound,
    UnreadableFile,
    ValidationError,
)
from campaigns.storage import campaign_store, import_liveness, import_store
from campaigns.storage.db import Connection, connect
from campaigns.storage.import_finish_store import ImportTarget, begin_import, finish_import

_log = logging.getLogger(__name__)

# The reading phase fills the progress bar up to here; the set-based finish takes the rest.
READING_SHARE = 0.9
_REPORT_EVERY_S = 0.5


def start_import(
    conn: Connection,
    campaign_id: int,
    path: Path,
    *,
    filename: str | None = None,
    options: ImportOptions | None = None,
    created_by: int | None = None,
) -> int:
    """Check the file and the options, record a queued import, return its id. Commits, unless
    `conn` is inside a transaction of the caller's."""
    campaign = campaign_store.get_campaign(conn, campaign_id)
    options = validate_options(options or ImportOptions())
    if not path.is_file():
        raise UnreadableFile(f"no file at {path}")
    preview = preview_file(
        path, options.mapping, has_header=options.has_header, sheet=options.sheet
    )
    if preview.mapping is None:
        raise ValidationError(list(preview.problems))
    name = filename or path.name
    options = replace(
        options,
        mapping=preview.mapping,
        region=options.region or campaign.spec.default_region,
        list_name=options.list_name or (Path(name).stem or name),
        has_header=preview.has_header,
        sheet=preview.shape.sheet,
    )
    recorded = options.to_json() | {
        "headers": list(preview.headers),
        "format": preview.shape.format.value,
        "encoding": preview.shape.encoding,
        "delimiter": preview.shape.delimiter,
    }
    return import_store.create_import(
        conn,
        campaign.id,
        filename=name,
        file_path=str(path.resolve()),
        options=recorded,
        created_by=created_by,
    )


def run_import(
    database_url: str,
    import_id: int,
    on_progress: Callable[[Progress], None] | None = None,
    workers: int | None = None,
    *,
    batch_rows: int = BATCH_ROWS,
    chunk_lines: int = CHUNK_LINES,
) -> ImportStatus:
    """Run a queued import to its end; raise its error after recording it as failed.
    `batch_rows` and `chunk_lines` size the work handed to a worker process and to PostgreSQL."""
    # Its own autocommit connection: progress must be visible to pollers at once, and must hold
    # no lock the import transaction later needs (its final UPDATE of the same list_imports row).
    with connect(database_url) as status_conn:
        # Held before the claim, so an import seen running always has a live holder or none.
        import_liveness.hold_alive(status_conn, import_id)
        if not import_store.claim_import(status_conn, import_id):
            return import_store.get_import(status_conn, import_id)
        try:
            _run(
                database_url,
                status_conn,
                import_id,
                on_progress,
                (workers, batch_rows, chunk_lines),
            )
        except CampaignsError as error:
            import_store.fail_import(status_conn, import_id, str(error))
            raise
        except Exception as error:  # any other failure: recorded, then raised as ImportFailed
            first_line = (str(error).strip().splitlines() or [""])[0]
            message = f"{type(error).__name__}: {first_line}"
            import_store.fail_import(status_conn, import_id, message)
            raise ImportFailed(f"list import {import_id} failed: {message}") from error
        except BaseException:
            import_store.fail_import(status_conn, import_id, "interrupted")
            raise
        return import_store.get_import(status_conn, import_id)


def import_file(
    database_url: str,
    campaign_id: int,
    path: Path,
    *,
    options: ImportOptions | None = None,
    on_progress: Callable[[Progress], None] | None = None,
    workers: int | None = None,
    created_by: int | None = None,
) -> ImportStatus:
    """start_import + run_import, for callers that wait (the CLI, the benchmark)."""
    with connect(database_url) as conn:
        import_id = start_import(conn, campaign_id, path, options=options, created_by=created_by)
    return run_import(database_url, import_id, on_progress, workers)


def get_import(conn: Connection, import_id: int) -> ImportStatus:
    return import_store.get_import(conn, import_id)


def _run(
    database_url: str,
    status_conn: Connection,
    import_id: int,
    on_progress: Callable[[Progress], None] | None,
    sizes: tuple[int | None, int, int],
) -> None:
    workers, batch_rows, chunk_lines = sizes
    status = import_store.get_import(status_conn, import_id)
    path = import_store.file_path(status_conn, import_id)
    if path is None:
        raise NotFound(f"list import {import_id} has no file to read")
    options = ImportOptions.from_json(status.options)
    assert options.mapping is not None and options.region is not None
    last_report = 0.0
    started = time.monotonic()

    def progress(done: Progress) -> None:
        nonlocal last_report
        if on_progress is not None:
            on_progress(done)
        now = time.monotonic()
        if now - last_report >= _REPORT_EVERY_S:
            last_report = now
            import_store.report_progress(
                status_conn,
                import_id,
                done.fraction * READING_SHARE,
                done.rows,
                ImportPhase.READING,
            )

    target = ImportTarget(
        import_id=import_id,
        campaign_id=status.campaign_id,
        list_name=options.list_name or status.filename,
        filename=status.filename,
        region=options.region,
        labels=tuple(p.label for p in options.mapping.phones),
        mapped_headers=options.mapping.mapped_headers,
        skip_dialed_days=options.skip_dialed_days,
    )
    with (
        open_table(Path(path), has_header=options.has_header, sheet=options.sheet) as table,
        connect(database_url) as conn,
    ):
        # Also here: this session's lock goes only once its transaction is rolled back, so a
        # sweep never calls the import dead while its contacts could still be committed.
        import_liveness.hold_alive(conn, import_id)
        with conn.transaction():
            if list(table.headers) != status.options.get("headers"):
                raise UnreadableFile("the file changed since it was checked: upload it again")
            plan = plan_rows(table.headers, options.mapping, options.region)
            import_store.create_stage(conn)
            list_id = begin_import(conn, target)
            with ChunkWriter(conn, target, list_id, chunk_lines) as writer:
                totals = normalise_rows(
                    table.batches(batch_rows),
                    plan,
                    writer.write,
                    truncated_row=lambda: table.truncated_row,
                    fraction_read=table.fraction_read,
                    on_progress=progress,
                    workers=workers,
                )
                import_store.report_progress(
                    status_conn, import_id, READING_SHARE, totals.rows, ImportPhase.STORING
                )
            finish_import(conn, target, list_id, writer.counts, (totals.rows, totals.invalid))
    _log.info("import %s: %s rows in %.1f s", import_id, totals.rows, time.monotonic() - started)
