"""Calling windows in the called party's local time, and the pure rules of who may be dialed now.

A number may sit in several zones (libphonenumber gives a set; mobiles move): it is dialable only
when the local time is inside the window in EVERY candidate zone. Real zone rules (zoneinfo), so
daylight-saving changes are handled by the tz database, never by fixed offsets.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from campaigns.campaign import CampaignSpec
from campaigns.retry import ContactState
from campaigns.rules import CallingHours, Window


class BlockReason(StrEnum):
    """Why a contact is not being dialed now (the "why not dialing" view counts these)."""

    DNC = "dnc"
    OUTSIDE_HOURS = "outside_hours"
    WAITING_RETRY = "waiting_retry"
    CALLBACK_SCHEDULED = "callback_scheduled"
    ABANDON_COOLDOWN = "abandon_cooldown"
    EXHAUSTED = "exhausted"
    DONE = "done"
    IN_FLIGHT = "in_flight"


@lru_cache(maxsize=1024)
def _zone(name: str) -> ZoneInfo | None:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return None


def zone_is_open(now: datetime, zone_name: str, hours: CallingHours) -> bool:
    """Whether `now` (aware) is inside the window in `zone_name`; unknown zones are never open."""
    zone = _zone(zone_name)
    if zone is None:
        return False
    local = now.astimezone(zone)
    window = hours.window_for(local.weekday())
    return window is not None and window.contains(local.time().replace(tzinfo=None))


def all_open(now: datetime, zones: Iterable[str], hours: CallingHours) -> bool:
    zones = list(zones)
    return bool(zones) and all(zone_is_open(now, zone, hours) for zone in zones)


@lru_cache(maxsize=1)
def _every_zone() -> tuple[str, ...]:
    return tuple(sorted(available_timezones()))


def open_zones(
    now: datetime, hours: CallingHours, zones: Iterable[str] | None = None
) -> frozenset[str]:
    """The zones (of `zones`, default every IANA zone) where the window is open at `now`.

    The claim query asks `contact.time_zones <@ open_zones`: all of a contact's zones are open.
    """
    if zones is None and _whole_minutes(hours):
        return _every_open_zone(now.replace(second=0, microsecond=0), hours)
    candidates = _every_zone() if zones is None else tuple(zones)
    return frozenset(zone for zone in candidates if zone_is_open(now, zone, hours))


@lru_cache(maxsize=64)
def _every_open_zone(minute: datetime, hours: CallingHours) -> frozenset[str]:
    # Every IANA zone checked (about 600) took 1.5-3 ms of each scheduler tick. With windows on
    # whole minutes, and every zone's offset and transitions on whole minutes, the answer is the
    # same for the whole minute: the scheduler's ticks of a minute share one computation.
    return frozenset(zone for zone in _every_zone() if zone_is_open(minute, zone, hours))


def _whole_minutes(hours: CallingHours) -> bool:
    windows = (hours.weekday, hours.saturday, hours.sunday)
    return all(
        w is None or all(t.second == 0 and t.microsecond == 0 for t in (w.start, w.end))
        for w in windows
    )


@dataclass(frozen=True)
class ContactFacts:
    """What the dialable rule looks at, for one contact."""

    state: ContactState
    time_zones: tuple[str, ...]
    attempts: int
    next_eligible_at: datetime
    last_abandoned_at: datetime | None
    on_dnc: bool


def block_reason(
    contact: ContactFacts, campaign: CampaignSpec, now: datetime
) -> BlockReason | None:
    """None when the contact may be dialed now; otherwise the first rule that blocks it.

    The claim query in campaigns/storage/claim_store.py applies the same rules in SQL; the property
    tests hold the two together.
    """
    if contact.on_dnc or contact.state is ContactState.DNC:
        return BlockReason.DNC
    if contact.state is ContactState.IN_FLIGHT:
        return BlockReason.IN_FLIGHT
    if contact.state is ContactState.DONE:
        return BlockReason.DONE
    if contact.state is ContactState.EXHAUSTED or contact.attempts >= campaign.max_attempts:
        return BlockReason.EXHAUSTED
    if contact.next_eligible_at > now:
        if contact.state is ContactState.CALLBACK:
            return BlockReason.CALLBACK_SCHEDULED
        return BlockReason.WAITING_RETRY
    cooldown_h = campaign.rules.no_repeat_after_abandon_h
    if (
        cooldown_h is not None
        and contact.last_abandoned_at is not None
        and contact.last_abandoned_at > now - timedelta(hours=cooldown_h)
    ):
        return BlockReason.ABANDON_COOLDOWN
    if not all_open(now, contact.time_zones, campaign.calling_hours):
        return BlockReason.OUTSIDE_HOURS
    return None


# Where a person picks a time (a callback): which zones refuse it, and when it could be instead.

# How far ahead `earliest_inside` looks: a week covers every kind of day at least once.
SEARCH_DAYS = 8


@dataclass(frozen=True)
class OutsideWindow:
    """One zone where a moment is outside the calling hours, and why."""

    zone: str
    local: datetime | None  # None: the zone is unknown
    window: Window | None  # None: no calls at all on that day

    def describe(self) -> str:
        if self.local is None:
            return f"{self.zone}: unknown time zone"
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
    for name in zones:
        if zone_is_open(moment, name, hours):
            continue
        zone = _zone(name)
        local = moment.astimezone(zone) if zone else None
        window = hours.window_for(local.weekday()) if local else None
        found.append(OutsideWindow(name, local, window))
    return found


def earliest_inside(moment: datetime, zones: Iterable[str], hours: CallingHours) -> datetime | None:
    """The first moment at or after `moment` inside the hours in every zone, or None within
    SEARCH_DAYS. The answer is `moment` itself or the start of some zone's window: the common
    callable time can only begin where one of the windows begins."""
    listed = list(zones)
    candidates = [moment]
    for name in listed:
        zone = _zone(name)
        if zone is None:
            return None
        first_day = moment.astimezone(zone).date()
        for offset in range(SEARCH_DAYS):
            day = first_day + timedelta(days=offset)
            window = hours.window_for(day.weekday())
            if window is not None:
                start = datetime.combine(day, window.start, tzinfo=zone)
                if start >= moment:
                    candidates.append(start)
    return next((c for c in sorted(candidates) if all_open(c, listed, hours)), None)
