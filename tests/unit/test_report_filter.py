"""Report filters from query-string text: typed, bounded, and refusing anything else."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from campaigns.errors import ValidationError
from campaigns.report_filter import ReportFilter, Sort, parse_report_filter, parse_sort

TODAY = date(2026, 11, 2)


def test_no_values_mean_the_last_seven_days_of_every_campaign_in_utc() -> None:
    scope = parse_report_filter({}, [], TODAY)

    assert scope == ReportFilter((), date(2026, 10, 27), TODAY, "UTC")


def test_values_are_parsed_and_campaign_ids_deduplicated() -> None:
    scope = parse_report_filter(
        {"from": "2026-10-01", "to": "2026-10-31", "tz": "Europe/London"},
        ["3", "1", "3", ""],
        TODAY,
    )

    assert scope == ReportFilter((1, 3), date(2026, 10, 1), date(2026, 10, 31), "Europe/London")


@pytest.mark.parametrize(
    ("args", "campaigns"),
    [
        ({}, ["1 OR 1=1"]),
        ({}, ["-1"]),
        ({"from": "2026-11-01'; DROP TABLE x; --"}, []),
        ({"to": "yesterday"}, []),
        ({"tz": "UTC'; --"}, []),
        ({"tz": "../../etc/passwd"}, []),
        ({"tz": "Mars/Olympus"}, []),
        ({"from": "2026-11-03", "to": "2026-11-01"}, []),
        ({"from": "2020-01-01", "to": "2026-01-01"}, []),
    ],
)
def test_anything_but_ids_dates_and_real_zones_is_refused(
    args: dict[str, str], campaigns: list[str]
) -> None:
    with pytest.raises(ValidationError):
        parse_report_filter(args, campaigns, TODAY)


def test_the_range_runs_from_local_midnight_to_the_next_local_midnight() -> None:
    scope = ReportFilter((), date(2026, 11, 1), date(2026, 11, 1), "America/New_York")

    # Nov 1 2026 is the day US daylight-saving time ends: the day has 25 hours.
    assert scope.start() == datetime(2026, 11, 1, 4, tzinfo=UTC)
    assert scope.end() == datetime(2026, 11, 2, 5, tzinfo=UTC)


def test_sort_accepts_only_allowed_columns_with_an_optional_minus() -> None:
    default = Sort("attempts", descending=True)
    allowed = ("attempts", "outcome")

    assert parse_sort(None, allowed, default) == default
    assert parse_sort("outcome", allowed, default) == Sort("outcome", descending=False)
    assert parse_sort("-outcome", allowed, default) == Sort("outcome", descending=True)
    for hostile in ("attempts; DROP TABLE x", "1", "outcome DESC", "--outcome"):
        with pytest.raises(ValidationError):
            parse_sort(hostile, allowed, default)
