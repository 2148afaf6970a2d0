"""A dial queue that only records what manual dialling asked it to dial."""

from __future__ import annotations


class Sent:
    def __init__(self) -> None:
        self.dials: list[int] = []

    def dial(self, attempt_id: int, expires_s: float) -> None:
        self.dials.append(attempt_id)
