"""The filter every report takes: campaigns, a date range in a time zone, and a sort order.

Parsed from request text here, before any SQL: ids become ints, dates become dates, the zone must
be a real IANA zone and the sort column must be one of the report's allow-listed names.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from campaigns.errors import ValidationError

# A report over more than a year is a data export, not a page.
MAX_RANGE_DAYS = 366
DEFAULT_RANGE_DAYS = 7
MAX_CAMPAIGNS = 200


@dataclass(frozen=True)
class ReportFilter:
    """Campaigns (empty = all), local dates first..last inclusive, the zone days are counted in."""

    campaign_ids: tuple[int, ...]
    first_day: date
    last_day: date
    tz: str = "UTC"

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.tz)

    def start(self) -> datetime:
        """The first day's local midnight, as an aware UTC instant."""
        return local_midnight(self.first_day, self.zone)

    def end(self) -> datetime:
        """The local midnight after the last day (exclusive)."""
        return local_midnight(self.last_day + timedelta(days=1), self.zone)

    def days(self) -> list[date]:
        count = (self.last_day - self.first_day).days + 1
        return [self.first_day + timedelta(days=i) for i in range(count)]


@dataclass(frozen=True)
class Sort:
    column: str
    descending: bool


def local_midnight(day: date, zone: ZoneInfo) -> datetime:
    return datetime.combine(day, time(0), tzinfo=zone).astimezone(UTC)


def parse_report_filter(
    args: Mapping[str, str], campaign_ids: Sequence[str], today: date, default_tz: str = "UTC"
) -> ReportFilter:
    """A filter from query-string values: `from`, `to` (YYYY-MM-DD), `tz`, and campaign ids.

    Missing dates give the last DEFAULT_RANGE_DAYS days up to `today`.
    """
    problems: list[str] = []
    ids: list[int] = []
    for raw in campaign_ids:
        if raw == "":
            continue
        if not raw.isdigit() or len(raw) > 18:
            problems.append(f"campaign: {raw[:40]!r} is not a campaign id")
        else:
            ids.append(int(raw))
    if len(ids) > MAX_CAMPAIGNS:
        problems.append(f"campaign: at most {MAX_CAMPAIGNS} campaigns at once")
    last = _date(args.get("to"), today, "to", problems)
    first = _date(args.get("from"), last - timedelta(days=DEFAULT_RANGE_DAYS - 1), "from", problems)
    tz = args.get("tz") or default_tz
    if not _is_zone(tz):
        problems.append(f"tz: {tz[:60]!r} is not a time zone")
    if not problems and first > last:
        problems.append("from: must not be after to")
    if not problems and (last - first).days + 1 > MAX_RANGE_DAYS:
        problems.append(f"to: a report covers at most {MAX_RANGE_DAYS} days")
    if problems:
        raise ValidationError(problems)
    return ReportFilter(tuple(sorted(set(ids))), first, last, tz)


def parse_sort(raw: str | None, allowed: Sequence[str], default: Sort) -> Sort:
    """`column` or `-column` (descending), where column is one of `allowed`."""
    if not raw:
        return default
    descending = raw.startswith("-")
    column = raw[1:] if descending else raw
    if column not in allowed:
        raise ValidationError([f"sort: {column[:40]!r} is not one of {', '.join(allowed)}"])
    return Sort(column, descending)


def _date(raw: str | None, default: date, name: str, problems: list[str]) -> date:
    if not raw:
        return default
    try:
        return date.fromisoformat(raw)
    except ValueError:
        problems.append(f"{name}: {raw[:40]!r} is not a date (YYYY-MM-DD)")
        return default


def _is_zone(name: str) -> bool:
    if not name or len(name) > 64 or name.startswith(("/", ".")) or ".." in name:
        return False
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        return False
    return True
