"""The process-wide leg budget: pjsua2's wheel allows 4 calls, a 5th makeCall fails.

Callers reserve legs before they start an attempt (a bridged conversation needs 2), so an
answered customer never waits for an agent leg that cannot be placed.

Call features that bring in a third party (a transfer's destination, a supervisor's softphone)
need a leg of their own on top of the attempt's 2: they reserve it with
:func:`reserve_feature_leg` *before* touching the call, and when none is free the feature is
refused with :data:`NO_FREE_LINE` and the customer and the agent stay as they were. Such a
reservation lives as long as the feature's leg.
"""

from __future__ import annotations

import threading
from types import TracebackType
from typing import Protocol

from dialer.telephony.errors import NoFreeLeg

# PJSUA_MAX_CALLS the wheel was compiled with (PJSUA2_NOTES.md): not configurable at run time.
PJSUA2_MAX_CALLS = 4


# What the agent reads when a feature needs a third leg and the process has none.
NO_FREE_LINE = "no free line on this worker for a third party: try again when one of its calls ends"


class Reserves(Protocol):
    def reserve(self, legs: int) -> LegReservation | None: ...


def reserve_feature_leg(source: Reserves) -> LegReservation:
    """One extra leg for a feature (transfer destination, supervisor), or
    NoFreeLeg(NO_FREE_LINE) at once: no waiting, so the click is answered and the call is not
    disturbed."""
    reservation = source.reserve(1)
    if reservation is None:
        raise NoFreeLeg(NO_FREE_LINE)
    return reservation


class LegBudget:
    """Counts live and reserved legs; thread-safe, shared by every attempt in the process."""

    def __init__(self, max_legs: int = PJSUA2_MAX_CALLS) -> None:
        self._max = max_legs
        self._used = 0
        self._lock = threading.Lock()

    @property
    def max_legs(self) -> int:
        return self._max

    def free(self) -> int:
        with self._lock:
            return self._max - self._used

    def reserve(self, legs: int) -> LegReservation | None:
        """Hold ``legs`` slots, or return None when fewer are free (no waiting, no queue)."""
        with self._lock:
            if self._used + legs > self._max:
                return None
            self._used += legs
        return LegReservation(self, legs)

    def take_one(self) -> None:
        """Claim one slot for a leg that had no reservation."""
        with self._lock:
            if self._used >= self._max:
                raise NoFreeLeg()
            self._used += 1

    def give_back(self, legs: int = 1) -> None:
        with self._lock:
            self._used = max(0, self._used - legs)


class LegReservation:
    """Slots held by one attempt for its whole life.

    Each originate spends one; when that leg ends its slot comes back to the reservation (so
    a second agent can be tried) until ``release``, after which ending legs free the budget.
    """

    def __init__(self, budget: LegBudget, legs: int) -> None:
        self._budget = budget
        self._left = legs
        self._released = False
        self._lock = threading.Lock()

    @property
    def left(self) -> int:
        return self._left

    def spend_one(self) -> None:
        with self._lock:
            if self._released or self._left <= 0:
                raise NoFreeLeg("the reservation has no leg left")
            self._left -= 1

    def return_one(self) -> None:
        """A leg placed on this reservation ended, or its originate failed."""
        with self._lock:
            if not self._released:
                self._left += 1
                return
        self._budget.give_back(1)

    def release(self) -> None:
        with self._lock:
            left, self._left, self._released = self._left, 0, True
        self._budget.give_back(left)

    def __enter__(self) -> LegReservation:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.release()
