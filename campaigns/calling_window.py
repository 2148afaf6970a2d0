"""Whether a moment is inside a campaign's calling hours in every zone a number may be in.

COMPLIANCE.md: a number may be in several zones (area codes span zones, mobiles move); we call only
when the local time is inside the window in all of them, with real zone rules (zoneinfo), never
fixed offsets. Used where a person picks a time (a callback); the scheduler's claim filters on the
same rule.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from campaigns.rules import CallingHours, Window

# How far ahead `earliest_inside` looks: a week covers every kind of day at least once.
SEARCH_DAYS = 8


@dataclass(frozen=True)
class OutsideWindow:
    """One zone where the moment is outside the calling hours, and why."""

    zone: str
    local: datetime
    window: Window | None  # None: no calls at all on that day

    def describe(self) -> str:
        local = self.local.strftime("%a %H:%M")
        if self.window is None:
            return f"{self.zone}: {local} local, no calls that day"
        start, end = self.window.to_json()
        return f"{self.zone}: {local} local, outside {start}-{end}"


def outside_window(
    moment: datetime, zones: Iterable[str], hours: CallingHours
) -> list[OutsideWindow]:
    """The zones where `moment` is outside the calling hours (empty: callable everywhere)."""
    found = []
    for zone in zones:
        local = moment.astimezone(ZoneInfo(zone))
        window = hours.window_for(local.weekday())
        if window is None or not window.contains(local.time()):
            found.append(OutsideWindow(zone, local, window))
    return found


def earliest_inside(moment: datetime, zones: Iterable[str], hours: CallingHours) -> datetime | None:
    """The first moment at or after `moment` inside the hours in every zone, or None within
    SEARCH_DAYS. The answer is `moment` itself or the start of some zone's window: the common
    callable time can only begin where one of the windows begins."""
    listed = list(zones)
    candidates = [moment]
    for zone in listed:
        info = ZoneInfo(zone)
        first_day = moment.astimezone(info).date()
        for offset in range(SEARCH_DAYS):
            day = first_day + timedelta(days=offset)
            window = hours.window_for(day.weekday())
            if window is not None:
                start = datetime.combine(day, window.start, tzinfo=info)
                if start >= moment:
                    candidates.append(start)
    for candidate in sorted(candidates):
        if not outside_window(candidate, listed, hours):
            return candidate
    return None
