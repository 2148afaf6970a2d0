"""An import's rejected rows as a CSV download, for the page and the API alike, written by the
engine's writer (formula cells defused). The rows stream from a server-side cursor into a
spooled temporary file (memory up to 1 MB, disk past it), so a big rejects file costs no memory."""

from __future__ import annotations

import io
import tempfile

from flask import Response, send_file

from campaigns.contact_import.rejects_export import write_rejects_csv
from campaigns.storage import import_store
from campaigns.storage.db import Connection

_IN_MEMORY_BYTES = 1024 * 1024


def rejects_response(conn: Connection, import_id: int) -> Response:
    status = import_store.get_import(conn, import_id)  # NotFound -> 404
    headers = list(status.options.get("headers", []))
    spool = tempfile.SpooledTemporaryFile(max_size=_IN_MEMORY_BYTES)  # noqa: SIM115 - send_file closes it
    # utf-8-sig: a BOM, so spreadsheets read the file as UTF-8 (as `dialer lists rejects -o`).
    text = io.TextIOWrapper(spool, encoding="utf-8-sig", newline="")
    write_rejects_csv(text, headers, import_store.rejects(conn, import_id))
    text.flush()
    text.detach()
    spool.seek(0)
    return send_file(
        spool,
        mimetype="text/csv",
        as_attachment=True,
        download_name=f"import-{import_id}-rejects.csv",
    )
