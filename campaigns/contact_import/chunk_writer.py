"""Staging lines -> PostgreSQL on a thread of their own, a chunk at a time.

The import's connection belongs to this thread while it runs: it COPYs lines into the staging
table and, every `chunk_lines` lines, has PostgreSQL turn them into contacts (store_chunk). The
reading thread meanwhile keeps the worker processes busy, so the database's inserts overlap the
normalising instead of following it (PostgreSQL is a process of its own: it needs no core of
ours). A bounded queue between the two keeps memory flat when either falls behind.
"""

from __future__ import annotations

import queue
import threading
from contextlib import ExitStack
from types import TracebackType

from campaigns.storage import import_store
from campaigns.storage.db import Connection
from campaigns.storage.import_finish_store import ChunkCounts, ImportTarget, store_chunk

# Small enough that the last chunk, stored after the file is read, is a short tail; large
# enough that the per-chunk statements cost little.
CHUNK_LINES = 50_000
# Batches waiting for the database: enough to cover one chunk's insert (batches are 4,000 lines).
QUEUE_BATCHES = 32
_POLL_S = 0.5


class ChunkWriter:
    def __init__(
        self,
        conn: Connection,
        target: ImportTarget,
        list_id: int,
        chunk_lines: int = CHUNK_LINES,
    ) -> None:
        self._conn, self._target, self._list_id = conn, target, list_id
        self._chunk_lines = chunk_lines
        self._queue: queue.Queue[bytes | None] = queue.Queue(maxsize=QUEUE_BATCHES)
        self._error: BaseException | None = None
        # Set when the reading side failed: the transaction will roll back, store nothing more.
        self._abandoned = False
        self.counts = ChunkCounts()
        self._thread = threading.Thread(target=self._run, name="import-chunks", daemon=True)

    def __enter__(self) -> ChunkWriter:
        self._thread.start()
        return self

    def write(self, data: bytes) -> None:
        """One batch of staging lines (whole rows only); blocks while the queue is full."""
        while True:
            self._raise_if_failed()
            try:
                self._queue.put(data, timeout=_POLL_S)
                return
            except queue.Full:
                continue

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        """Stores the last chunk (or, after an error, just stops) and waits for the thread."""
        self._abandoned = error is not None
        while self._thread.is_alive():
            try:
                self._queue.put(None, timeout=_POLL_S)
                break
            except queue.Full:
                if error is not None or self._error is not None:
                    self._drain()
        self._thread.join()
        if error is None:
            self._raise_if_failed()

    def _raise_if_failed(self) -> None:
        if self._error is not None:
            raise self._error

    def _drain(self) -> None:
        while True:
            try:
                self._queue.get_nowait()
            except queue.Empty:
                return

    def _run(self) -> None:
        try:
            self._store_all()
        except BaseException as error:  # noqa: BLE001 - a thread edge: the reader re-raises it
            self._error = error
            self._drain()

    def _store_all(self) -> None:
        lines = 0
        with ExitStack() as copying:
            copy = None
            while (data := self._queue.get()) is not None:
                if copy is None:
                    copy = copying.enter_context(import_store.copy_into_stage(self._conn))
                copy.write(data)
                lines += data.count(b"\n")
                if lines >= self._chunk_lines:
                    copying.close()
                    copy, lines = None, 0
                    self.counts += store_chunk(self._conn, self._target, self._list_id)
            if copy is not None:
                copying.close()
                if not self._abandoned:
                    self.counts += store_chunk(self._conn, self._target, self._list_id)
