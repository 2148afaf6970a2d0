"""The preview hold limit: which previews have been held too long, at a time passed in."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from campaigns.campaign import CampaignSpec, validate_spec
from campaigns.errors import ValidationError
from campaigns.preview_hold import PreviewHold, closed_by_expiry, expired_holds, is_expired

T0 = datetime(2026, 11, 26, 15, 0, tzinfo=UTC)


def hold(attempt_id: int, held_s_before_t0: float, limit_s: int = 300) -> PreviewHold:
    return PreviewHold(
        attempt_id=attempt_id,
        campaign_id=1,
        agent_id=100 + attempt_id,
        contact_id=1000 + attempt_id,
        held_since=T0 - timedelta(seconds=held_s_before_t0),
        limit_s=limit_s,
    )


def test_a_hold_younger_than_its_limit_is_kept() -> None:
    assert not is_expired(hold(1, 299.999), T0)


def test_a_hold_expires_exactly_at_its_deadline() -> None:
    assert is_expired(hold(1, 300), T0)
    assert hold(1, 300).deadline == T0


def test_each_campaign_limit_applies_to_its_own_holds() -> None:
    short, long = hold(1, 60, limit_s=30), hold(2, 60, limit_s=3600)
    assert expired_holds([short, long], T0) == [short]


def test_the_longest_overdue_hold_is_released_first() -> None:
    holds = [hold(1, 310), hold(2, 900), hold(3, 10), hold(4, 600)]
    assert [h.attempt_id for h in expired_holds(holds, T0)] == [2, 4, 1]


def test_a_clock_before_the_hold_began_never_expires_it() -> None:
    assert not is_expired(hold(1, 0), T0 - timedelta(seconds=5))


def test_the_reason_on_the_record_names_the_limit() -> None:
    assert hold(1, 0, limit_s=120).why_expired == (
        "preview expired: not dialed or skipped within 120 s"
    )


def test_only_an_expiry_reason_reads_as_an_expiry() -> None:
    assert closed_by_expiry(hold(1, 0).why_expired)
    assert not closed_by_expiry("skipped by the agent: preview expired, they said")
    assert not closed_by_expiry(None)


def test_the_campaign_hold_limit_defaults_to_five_minutes() -> None:
    assert CampaignSpec(name="P", caller_id="+12025550100").preview_timeout_s == 300


@pytest.mark.parametrize("seconds", [29, 3601, 0])
def test_a_hold_limit_outside_30_to_3600_seconds_is_refused(seconds: int) -> None:
    with pytest.raises(ValidationError, match="preview_timeout_s"):
        validate_spec(CampaignSpec(name="P", caller_id="+12025550100", preview_timeout_s=seconds))


@pytest.mark.parametrize("seconds", [30, 3600])
def test_the_bounds_of_the_hold_limit_are_allowed(seconds: int) -> None:
    spec = validate_spec(
        CampaignSpec(name="P", caller_id="+12025550100", preview_timeout_s=seconds)
    )
    assert spec.preview_timeout_s == seconds
