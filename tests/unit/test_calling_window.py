from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from zoneinfo import available_timezones

from hypothesis import given, settings
from hypothesis import strategies as st

from campaigns.calling_window import (
    BlockReason,
    ContactFacts,
    all_open,
    block_reason,
    open_zones,
    zone_is_open,
)
from campaigns.campaign import CampaignSpec
from campaigns.retry import ContactState
from campaigns.rules import RULE_SETS, CallingHours, RuleSetName, Window

US_HOURS = RULE_SETS[RuleSetName.US].calling_hours
SPEC = CampaignSpec(name="Demo", caller_id="+12025550100")
ZONES = ["America/New_York", "America/Chicago", "America/Denver", "America/Los_Angeles",
         "Pacific/Honolulu", "Europe/London", "Australia/Sydney", "Asia/Kolkata"]  # fmt: skip


def _facts(zones: tuple[str, ...], **changes: object) -> ContactFacts:
    base: dict[str, object] = {
        "state": ContactState.DIALABLE,
        "time_zones": zones,
        "attempts": 0,
        "next_eligible_at": datetime(2000, 1, 1, tzinfo=UTC),
        "last_abandoned_at": None,
        "on_dnc": False,
    }
    return ContactFacts(**(base | changes))  # type: ignore[arg-type]


def test_the_window_is_read_in_the_called_partys_local_time() -> None:
    # 13:30 UTC in July: 09:30 in New York (open), 06:30 in Los Angeles (closed).
    now = datetime(2026, 7, 1, 13, 30, tzinfo=UTC)
    assert zone_is_open(now, "America/New_York", US_HOURS)
    assert not zone_is_open(now, "America/Los_Angeles", US_HOURS)


def test_a_number_with_several_candidate_zones_waits_until_all_are_open() -> None:
    now = datetime(2026, 7, 1, 13, 30, tzinfo=UTC)
    assert not all_open(now, ["America/New_York", "America/Los_Angeles"], US_HOURS)
    assert (
        block_reason(_facts(("America/New_York", "America/Los_Angeles")), SPEC, now)
        is BlockReason.OUTSIDE_HOURS
    )


def test_daylight_saving_time_moves_the_window_with_the_zone() -> None:
    # 12:30 UTC is 08:30 in New York in summer (EDT) but 07:30 in winter (EST).
    assert zone_is_open(datetime(2026, 7, 1, 12, 30, tzinfo=UTC), "America/New_York", US_HOURS)
    assert not zone_is_open(datetime(2026, 1, 15, 12, 30, tzinfo=UTC), "America/New_York", US_HOURS)


def test_an_unknown_zone_is_never_open() -> None:
    assert not zone_is_open(datetime(2026, 7, 1, 15, tzinfo=UTC), "Mars/Olympus", US_HOURS)


def test_a_day_without_a_window_has_no_calls() -> None:
    hours = CallingHours(Window(time(9), time(17)), None, None)
    saturday_noon = datetime(2026, 11, 28, 17, 0, tzinfo=UTC)  # 12:00 in New York
    assert not zone_is_open(saturday_noon, "America/New_York", hours)


@settings(max_examples=300, deadline=None)
@given(
    moment=st.datetimes(
        min_value=datetime(2025, 1, 1), max_value=datetime(2028, 12, 31), timezones=st.just(UTC)
    ),
    zones=st.lists(st.sampled_from(ZONES), min_size=1, max_size=3, unique=True),
)
def test_never_dials_outside_the_window_in_any_candidate_zone(
    moment: datetime, zones: list[str]
) -> None:
    reason = block_reason(_facts(tuple(zones)), SPEC, moment)
    if reason is None:
        for zone in zones:
            from zoneinfo import ZoneInfo

            local = moment.astimezone(ZoneInfo(zone)).time()
            assert time(8) <= local < time(21)


@settings(max_examples=200, deadline=None)
@given(
    moment=st.datetimes(
        min_value=datetime(2025, 1, 1), max_value=datetime(2028, 12, 31), timezones=st.just(UTC)
    ),
    zones=st.lists(st.sampled_from(ZONES), min_size=1, max_size=3, unique=True),
)
def test_open_zones_agrees_with_the_per_zone_rule(moment: datetime, zones: list[str]) -> None:
    opened = open_zones(moment, US_HOURS, ZONES)
    assert all_open(moment, zones, US_HOURS) == set(zones).issubset(opened)


@settings(max_examples=300, deadline=None)
@given(
    moment=st.datetimes(
        min_value=datetime(2025, 1, 1), max_value=datetime(2028, 12, 31), timezones=st.just(UTC)
    )
)
def test_every_zone_open_at_a_moment_is_what_each_zone_says_even_when_cached_per_minute(
    moment: datetime,
) -> None:
    # Cached per minute (and DST days included): any second of the minute gets the same answer
    # as checking each zone at that very second.
    opened = open_zones(moment, US_HOURS)
    assert opened == open_zones(moment, US_HOURS, sorted(available_timezones()))


def test_a_number_on_a_dnc_list_is_never_dialable() -> None:
    now = datetime(2026, 7, 1, 15, tzinfo=UTC)
    assert block_reason(_facts(("America/New_York",), on_dnc=True), SPEC, now) is BlockReason.DNC


def test_retry_time_and_attempt_cap_block_before_hours_are_checked() -> None:
    now = datetime(2026, 7, 1, 15, tzinfo=UTC)
    later = _facts(("America/New_York",), next_eligible_at=now + timedelta(minutes=1))
    assert block_reason(later, SPEC, now) is BlockReason.WAITING_RETRY
    spent = _facts(("America/New_York",), attempts=SPEC.max_attempts)
    assert block_reason(spent, SPEC, now) is BlockReason.EXHAUSTED
