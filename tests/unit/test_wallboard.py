"""The wallboard's pure parts: where an abandonment rate stands, and when kept contact counts are
trusted."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

from dialer.wallboard import AbandonLevel, abandon_level
from dialer.wallboard_contacts import kept_dialability

NOW = datetime(2026, 11, 26, 15, 0, tzinfo=UTC)
MAX_AGE = timedelta(seconds=30)


def test_abandonment_is_red_only_past_the_target_and_says_when_it_passed_the_cap() -> None:
    assert abandon_level(None, 0.025, 0.03) is AbandonLevel.OK  # no live answer yet
    assert abandon_level(0.0, 0.025, 0.03) is AbandonLevel.OK
    assert abandon_level(0.025, 0.025, 0.03) is AbandonLevel.OK  # at the target: not past it
    assert abandon_level(0.026, 0.025, 0.03) is AbandonLevel.OVER_TARGET
    assert abandon_level(0.03, 0.025, 0.03) is AbandonLevel.OVER_TARGET
    assert abandon_level(0.031, 0.025, 0.03) is AbandonLevel.OVER_CAP


def _kept(counted_at: datetime) -> str:
    return json.dumps(
        {
            "total": 10,
            "dialable_now": 4,
            "blocked": {"dnc": 6},
            "counted_at": counted_at.isoformat(),
        }
    )


def test_kept_contact_counts_are_used_while_younger_than_their_max_age() -> None:
    kept = kept_dialability(_kept(NOW - timedelta(seconds=10)), NOW, MAX_AGE)
    assert kept is not None
    assert (kept.total, kept.dialable_now, kept.blocked) == (10, 4, {"dnc": 6})


def test_old_future_missing_or_unreadable_counts_are_counted_again() -> None:
    assert kept_dialability(_kept(NOW - timedelta(seconds=31)), NOW, MAX_AGE) is None
    assert kept_dialability(_kept(NOW + timedelta(seconds=5)), NOW, MAX_AGE) is None
    assert kept_dialability(None, NOW, MAX_AGE) is None
    assert kept_dialability("{not json", NOW, MAX_AGE) is None
    assert kept_dialability('{"total": 1}', NOW, MAX_AGE) is None
    assert kept_dialability("[]", NOW, MAX_AGE) is None
