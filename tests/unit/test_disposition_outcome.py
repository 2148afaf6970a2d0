"""What a disposition does to its contact, and callbacks inside the calling window."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from campaigns.calling_window import earliest_inside, outside_window
from campaigns.campaign import CampaignSpec
from campaigns.disposition_outcome import (
    CallbackOutsideWindow,
    CallbackRequest,
    ContactOnCall,
    decide_after_disposition,
)
from campaigns.dispositions import Disposition, DispositionAction
from campaigns.errors import ValidationError
from campaigns.retry import ContactState
from campaigns.rules import RULE_SETS, RuleSetName

# Thursday 26 November 2026, 15:00 UTC: 10:00 in New York, 07:00 in Los Angeles.
NOW = datetime(2026, 11, 26, 15, 0, tzinfo=UTC)
CAMPAIGN = CampaignSpec(name="Demo", caller_id="+12025550100")  # US: 08:00-21:00 every day
NEW_YORK = ContactOnCall(1, ContactState.DONE, attempts=1, time_zones=("America/New_York",))
BOTH_COASTS = replace(NEW_YORK, time_zones=("America/New_York", "America/Los_Angeles"))
NO_CALLBACK = CallbackRequest(at=None)


def disposition(action: DispositionAction, human: bool = True) -> Disposition:
    return Disposition(
        campaign_id=1, code=action.value, label=action.value, action=action, human=human
    )


def test_complete_closes_the_contact() -> None:
    change = decide_after_disposition(
        disposition(DispositionAction.COMPLETE), NEW_YORK, CAMPAIGN, NO_CALLBACK, NOW
    )
    assert change is not None and change.state is ContactState.DONE


def test_retry_waits_the_machine_delay_when_nobody_was_reached() -> None:
    change = decide_after_disposition(
        disposition(DispositionAction.RETRY, human=False), NEW_YORK, CAMPAIGN, NO_CALLBACK, NOW
    )
    assert change is not None
    assert (change.state, change.next_eligible_at) == (
        ContactState.DIALABLE,
        NOW + timedelta(hours=4),
    )


def test_retry_waits_the_no_answer_delay_when_a_person_was_reached() -> None:
    change = decide_after_disposition(
        disposition(DispositionAction.RETRY), NEW_YORK, CAMPAIGN, NO_CALLBACK, NOW
    )
    assert change is not None and change.next_eligible_at == NOW + timedelta(hours=2)


def test_retry_after_the_last_allowed_attempt_exhausts_the_contact() -> None:
    used_up = replace(NEW_YORK, attempts=CAMPAIGN.max_attempts)
    change = decide_after_disposition(
        disposition(DispositionAction.RETRY), used_up, CAMPAIGN, NO_CALLBACK, NOW
    )
    assert change is not None and change.state is ContactState.EXHAUSTED
    assert change.block_reason is not None and "5 of 5" in change.block_reason


def test_a_callback_inside_the_window_is_kept_for_that_time_and_agent() -> None:
    when = NOW + timedelta(hours=3)
    change = decide_after_disposition(
        disposition(DispositionAction.CALLBACK),
        BOTH_COASTS,
        CAMPAIGN,
        CallbackRequest(at=when, for_agent_id=9),
        NOW,
    )
    assert change is not None
    assert (change.state, change.next_eligible_at, change.callback_agent_id) == (
        ContactState.CALLBACK,
        when,
        9,
    )


def test_a_callback_outside_the_window_in_one_zone_is_refused_naming_it() -> None:
    when = NOW + timedelta(minutes=30)  # 10:30 in New York but 07:30 in Los Angeles
    with pytest.raises(CallbackOutsideWindow) as refused:
        decide_after_disposition(
            disposition(DispositionAction.CALLBACK),
            BOTH_COASTS,
            CAMPAIGN,
            CallbackRequest(at=when),
            NOW,
        )
    assert [zone.zone for zone in refused.value.zones] == ["America/Los_Angeles"]
    assert "Thu 07:30 local, outside 08:00-21:00" in str(refused.value)
    assert refused.value.earliest == datetime(2026, 11, 26, 16, 0, tzinfo=UTC)  # 08:00 LA


def test_a_callback_may_be_moved_into_the_window_instead() -> None:
    when = datetime(2026, 11, 27, 3, 0, tzinfo=UTC)  # 22:00 in New York
    change = decide_after_disposition(
        disposition(DispositionAction.CALLBACK),
        NEW_YORK,
        CAMPAIGN,
        CallbackRequest(at=when, move_into_window=True),
        NOW,
    )
    assert change is not None
    assert change.next_eligible_at == datetime(2026, 11, 27, 13, 0, tzinfo=UTC)  # 08:00 NY
    assert change.moved_from == when


def test_a_callback_needs_a_future_time_with_a_zone() -> None:
    callback = disposition(DispositionAction.CALLBACK)
    for bad, message in (
        (None, "needs a time"),
        (NOW - timedelta(minutes=1), "not in the future"),
        (datetime(2026, 11, 27, 12, 0), "time zone"),
    ):
        with pytest.raises(ValidationError, match=message):
            decide_after_disposition(callback, NEW_YORK, CAMPAIGN, CallbackRequest(at=bad), NOW)


def test_a_callback_time_with_another_disposition_is_refused() -> None:
    with pytest.raises(ValidationError, match="not a callback disposition"):
        decide_after_disposition(
            disposition(DispositionAction.COMPLETE),
            NEW_YORK,
            CAMPAIGN,
            CallbackRequest(at=NOW + timedelta(hours=1)),
            NOW,
        )


def test_do_not_call_blocks_the_contact_and_a_blocked_contact_stays_blocked() -> None:
    change = decide_after_disposition(
        disposition(DispositionAction.DNC), NEW_YORK, CAMPAIGN, NO_CALLBACK, NOW
    )
    assert change is not None and change.state is ContactState.DNC
    blocked = replace(NEW_YORK, state=ContactState.DNC)
    for action in (DispositionAction.RETRY, DispositionAction.COMPLETE):
        assert (
            decide_after_disposition(disposition(action), blocked, CAMPAIGN, NO_CALLBACK, NOW)
            is None
        )


def test_the_earliest_callable_time_skips_days_without_calls() -> None:
    canada = RULE_SETS[RuleSetName.CA].calling_hours  # weekends 10:00-18:00
    saturday_night = datetime(2026, 11, 28, 23, 30, tzinfo=UTC)  # 18:30 in Toronto
    assert outside_window(saturday_night, ["America/Toronto"], canada)
    sunday_ten = datetime(2026, 11, 29, 15, 0, tzinfo=UTC)
    assert earliest_inside(saturday_night, ["America/Toronto"], canada) == sunday_ten
    no_sundays = replace(canada, sunday=None)
    monday_nine = datetime(2026, 11, 30, 14, 0, tzinfo=UTC)
    assert earliest_inside(saturday_night, ["America/Toronto"], no_sundays) == monday_nine


def test_windows_follow_daylight_saving_time() -> None:
    hours = CAMPAIGN.calling_hours
    # 12:30 UTC is 08:30 in New York in summer (EDT) but 07:30 in winter (EST).
    assert not outside_window(datetime(2026, 7, 1, 12, 30, tzinfo=UTC), ["America/New_York"], hours)
    assert outside_window(datetime(2026, 12, 1, 12, 30, tzinfo=UTC), ["America/New_York"], hours)
