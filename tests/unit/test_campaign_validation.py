from __future__ import annotations

from datetime import time

import pytest

from campaigns.campaign import CampaignSpec, parse_window, validate_spec
from campaigns.errors import ValidationError
from campaigns.rules import RULE_SETS, RuleSetName, Window


def test_caller_id_in_national_format_is_stored_as_e164() -> None:
    spec = validate_spec(CampaignSpec(name="Spring", caller_id="(202) 555-0100"))
    assert spec.caller_id == "+12025550100"


def test_never_rings_for_less_than_fifteen_seconds() -> None:
    with pytest.raises(ValidationError) as raised:
        validate_spec(CampaignSpec(name="Fast", caller_id="+12025550100", ring_timeout_s=10))
    assert "ring_timeout_s" in str(raised.value)


def test_every_problem_is_reported_at_once() -> None:
    with pytest.raises(ValidationError) as raised:
        validate_spec(
            CampaignSpec(
                name="", caller_id="12", dial_ratio=9, timezone="Mars/Base", max_attempts=0
            )
        )
    fields = {problem.split(":")[0] for problem in raised.value.problems}
    assert {"name", "caller_id", "dial_ratio", "timezone", "max_attempts"} <= fields


def test_abandon_target_may_not_exceed_the_rule_sets_cap() -> None:
    with pytest.raises(ValidationError, match="abandon_target"):
        validate_spec(CampaignSpec(name="Greedy", caller_id="+12025550100", abandon_target=0.04))


def test_canadian_rules_allow_a_higher_cap_and_shorter_weekends() -> None:
    rules = RULE_SETS[RuleSetName.CA]
    assert rules.abandon_cap == 0.05
    assert rules.calling_hours.window_for(5) == Window(time(10), time(18))
    assert rules.calling_hours.window_for(0) == Window(time(9), time(21, 30))


def test_uk_rules_measure_abandonment_per_day_and_block_repeat_calls_for_72_hours() -> None:
    rules = RULE_SETS[RuleSetName.UK]
    assert rules.abandon_window_days == 1
    assert rules.no_repeat_after_abandon_h == 72


def test_calling_window_text_is_parsed_or_refused_clearly() -> None:
    assert parse_window("08:00-21:00") == Window(time(8), time(21))
    with pytest.raises(ValueError, match="HH:MM-HH:MM"):
        parse_window("8am to 9pm")
