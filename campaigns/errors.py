"""Errors of the campaigns package; the dashboard and the CLI translate them at their edges."""

from __future__ import annotations


class CampaignsError(Exception):
    """Base of every error this package raises on purpose."""


class ValidationError(CampaignsError):
    """Input that breaks a rule; `problems` holds one `field: reason` line per broken rule."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("; ".join(problems))
        self.problems = problems


class NotFound(CampaignsError):
    """A named or numbered thing does not exist."""


class Conflict(CampaignsError):
    """The change contradicts what is stored (a duplicate name, a state that forbids it)."""


class UnreadableFile(CampaignsError):
    """An uploaded file cannot be read as a list: empty, truncated, not CSV or XLSX, a cell too
    large. The message says what and, where it can, on which row."""


class ImportFailed(CampaignsError):
    """A list import stopped on an error other than its input's (the database went away, a
    constraint fired). Nothing was imported; the import's status records the message."""
