"""What an import reports: its summary when it ends, its status and progress while it runs."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any


class ImportState(StrEnum):
    QUEUED = "queued"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"


class ImportPhase(StrEnum):
    READING = "reading"  # parsing, normalising and staging the file
    STORING = "storing"  # the one set-based insert


@dataclass(frozen=True)
class ImportCounts:
    """Per phone number, not per row: a row with mobile and home counts twice, so for lists with
    one phone column rows = imported + dnc + duplicates + invalid + skipped_recent."""

    rows: int
    # Stored and dialable.
    imported: int
    # Stored, not dialable: on a DNC list (contacts.state 'dnc', with the reason).
    dnc: int
    # Not stored: the same E.164 earlier in the file, or already in the campaign.
    duplicates: int
    # Not stored: unparseable, invalid, premium-rate, no number in the row, cut-off last row.
    invalid: int
    # Not stored: dialed by any campaign within the import's skip window.
    skipped_recent: int
    # Rows with at least one number not stored for a reason: the rejects file's length.
    rejected_rows: int

    def to_json(self) -> dict[str, int]:
        return {
            "rows": self.rows,
            "imported": self.imported,
            "duplicates": self.duplicates,
            "invalid": self.invalid,
            "dnc": self.dnc,
            "skipped_recent": self.skipped_recent,
            "rejected_rows": self.rejected_rows,
        }


@dataclass(frozen=True)
class ImportStatus:
    id: int
    campaign_id: int
    list_id: int | None
    filename: str
    state: ImportState
    phase: ImportPhase | None
    # 0..1; the file read while reading, 1 when done.
    progress: float
    counts: ImportCounts
    error: str | None
    options: dict[str, Any]
    started_at: datetime
    finished_at: datetime | None
    updated_at: datetime

    def to_json(self) -> dict[str, Any]:
        return {
            "import_id": self.id,
            "campaign_id": self.campaign_id,
            "list_id": self.list_id,
            "filename": self.filename,
            "state": self.state.value,
            "phase": self.phase.value if self.phase else None,
            "progress": round(self.progress, 4),
            **self.counts.to_json(),
            "error": self.error,
            "started_at": self.started_at.isoformat(),
            "finished_at": self.finished_at.isoformat() if self.finished_at else None,
            "updated_at": self.updated_at.isoformat(),
        }
