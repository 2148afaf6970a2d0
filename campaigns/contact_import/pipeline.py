"""Rows -> staging lines on every core, in order, with memory that does not grow with the file.

The reading process batches rows and hands them to a pool of worker processes (libphonenumber is
pure Python: threads would share one core). At most a few batches are in flight: `Pool.imap`
would read the whole file ahead into memory when the workers fall behind, so the window here is
explicit. Results are consumed in submission order, so the staging table fills in file order.
"""

from __future__ import annotations

import multiprocessing
import os
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from multiprocessing.pool import AsyncResult

from campaigns.contact_import.rows import BatchResult, RowNormaliser, RowPlan

BATCH_ROWS = 4000

Rows = list[tuple[int, list[str]]]


@dataclass(frozen=True)
class Progress:
    rows: int
    # Of the file read so far, 0..1 (an estimate for XLSX).
    fraction: float


@dataclass(frozen=True)
class Totals:
    rows: int = 0
    blank: int = 0
    numbers: int = 0
    invalid: int = 0

    def add(self, batch: BatchResult) -> Totals:
        return Totals(
            self.rows + batch.rows,
            self.blank + batch.blank,
            self.numbers + batch.numbers,
            self.invalid + batch.invalid,
        )


# The worker process's normaliser, built once by the pool initializer: it holds libphonenumber's
# loaded metadata and the prefix caches, which must outlive single batches to pay off.
_worker: RowNormaliser | None = None


def _start_worker(plan: RowPlan) -> None:
    global _worker  # noqa: PLW0603 - per-process state is what a pool initializer is for
    _worker = RowNormaliser(plan)


def _work(rows: Rows, truncated_row: int | None) -> BatchResult:
    assert _worker is not None, "the pool initializer did not run"
    return _worker.batch(rows, truncated_row)


def default_workers() -> int:
    """Both cores (the reading process mostly waits); none inside a daemonic process such as a
    Celery prefork child, which may not have children of its own."""
    if multiprocessing.current_process().daemon:
        return 0
    return max(1, min(4, os.cpu_count() or 1))


def normalise_rows(
    batches: Iterable[Rows],
    plan: RowPlan,
    write: Callable[[bytes], None],
    *,
    truncated_row: Callable[[], int | None],
    fraction_read: Callable[[], float],
    on_progress: Callable[[Progress], None] | None = None,
    workers: int | None = None,
) -> Totals:
    """Feed every batch of rows through RowNormaliser and `write` the staging lines; return the
    totals. `truncated_row` is asked when each batch leaves: the row source knows it by the time
    it yields the last row, which is in the last batch."""
    workers = default_workers() if workers is None else workers
    totals = Totals()

    def consume(result: BatchResult) -> None:
        nonlocal totals
        write(result.copy_data)
        totals = totals.add(result)
        if on_progress is not None:
            on_progress(Progress(totals.rows + totals.blank, fraction_read()))

    if workers <= 0:
        normaliser = RowNormaliser(plan)
        for batch in batches:
            consume(normaliser.batch(batch, truncated_row()))
        return totals

    # spawn, not fork: the parent holds PostgreSQL connections and may run threads.
    context = multiprocessing.get_context("spawn")
    with context.Pool(workers, initializer=_start_worker, initargs=(plan,)) as pool:
        in_flight: deque[AsyncResult[BatchResult]] = deque()
        for batch in batches:
            in_flight.append(pool.apply_async(_work, (batch, truncated_row())))
            if len(in_flight) > 2 * workers:
                consume(in_flight.popleft().get())
        while in_flight:
            consume(in_flight.popleft().get())
    return totals


def batched(rows: Iterable[tuple[int, list[str]]], size: int = BATCH_ROWS) -> Iterator[Rows]:
    batch: Rows = []
    for row in rows:
        batch.append(row)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch
