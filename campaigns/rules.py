"""Compliance rule sets (COMPLIANCE.md): the figures a campaign inherits from its jurisdiction.

A campaign picks US, UK, CA or custom; the rule set supplies its defaults and the limits that
validation will not let a campaign relax (for example a ring timeout below 15 s).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import time, timedelta
from enum import StrEnum


class RuleSetName(StrEnum):
    US = "US"
    UK = "UK"
    CA = "CA"
    CUSTOM = "custom"


@dataclass(frozen=True)
class Window:
    """A daily calling window in the called party's local time, start inclusive, end exclusive."""

    start: time
    end: time

    def contains(self, moment: time) -> bool:
        return self.start <= moment < self.end

    def to_json(self) -> list[str]:
        return [self.start.strftime("%H:%M"), self.end.strftime("%H:%M")]


@dataclass(frozen=True)
class CallingHours:
    """Windows per kind of day; None means no calls that day."""

    weekday: Window | None
    saturday: Window | None
    sunday: Window | None

    def window_for(self, weekday_index: int) -> Window | None:
        """weekday_index as datetime.weekday(): Monday 0 ... Sunday 6."""
        saturday, sunday = 5, 6
        if weekday_index == saturday:
            return self.saturday
        if weekday_index == sunday:
            return self.sunday
        return self.weekday

    def to_json(self) -> dict[str, list[str] | None]:
        return {
            "weekday": self.weekday.to_json() if self.weekday else None,
            "saturday": self.saturday.to_json() if self.saturday else None,
            "sunday": self.sunday.to_json() if self.sunday else None,
        }


def _every_day(start: time, end: time) -> CallingHours:
    window = Window(start, end)
    return CallingHours(window, window, window)


@dataclass(frozen=True)
class RuleSet:
    name: RuleSetName
    # Abandoned live answers / live answers, measured over this many days per campaign.
    abandon_cap: float
    abandon_window_days: int
    # A live answer with no agent connected within this many seconds is abandoned.
    max_agent_wait_s: float
    min_ring_timeout_s: int
    calling_hours: CallingHours
    # UK: no repeat call within 72 h of an abandoned call unless an agent is guaranteed.
    no_repeat_after_abandon_h: int | None
    # Records kept this many years (call detail including disposition).
    record_retention_years: int | None

    @property
    def agent_wait(self) -> timedelta:
        """The window a live answer has for an agent (or the abandonment message)."""
        return timedelta(seconds=self.max_agent_wait_s)


RULE_SETS: dict[RuleSetName, RuleSet] = {
    RuleSetName.US: RuleSet(
        RuleSetName.US, 0.03, 30, 2.0, 15, _every_day(time(8), time(21)), None, 5
    ),
    RuleSetName.UK: RuleSet(
        # Ofcom sets no calling hours; 08:00-21:00 is the campaign default, not a legal limit.
        RuleSetName.UK,
        0.03,
        1,
        2.0,
        15,
        _every_day(time(8), time(21)),
        72,
        None,
    ),
    RuleSetName.CA: RuleSet(
        RuleSetName.CA,
        0.05,
        30,
        2.0,
        15,
        CallingHours(
            Window(time(9), time(21, 30)), Window(time(10), time(18)), Window(time(10), time(18))
        ),
        None,
        3,
    ),
    RuleSetName.CUSTOM: RuleSet(
        RuleSetName.CUSTOM, 0.03, 30, 2.0, 15, _every_day(time(8), time(21)), None, None
    ),
}
