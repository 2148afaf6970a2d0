"""Pure rules of the dashboard: safe redirects and campaign settings from plain data."""

from __future__ import annotations

import pytest

from campaigns.campaign import validate_spec
from campaigns.campaign_changes import apply_changes, new_spec
from campaigns.errors import ValidationError
from dashboard.redirects import safe_next


@pytest.mark.parametrize("target", ["/campaigns", "/dnc?campaign_id=3", "/a/b#c"])
def test_local_paths_are_kept(target: str) -> None:
    assert safe_next(target) == target


@pytest.mark.parametrize(
    "target",
    [None, "", "https://evil.example", "//evil.example", "/\\evil.example", "\\\\evil",
     "javascript:alert(1)", "campaigns", "/x\nSet-Cookie: a=b", "/" + "a" * 3000],
)  # fmt: skip
def test_anything_else_falls_back_to_the_default(target: str | None) -> None:
    assert safe_next(target, "/home") == "/home"


def test_a_new_campaign_gets_its_rule_sets_hours_unless_given() -> None:
    spec = new_spec({"name": "T", "caller_id": "+14165550100", "rule_set": "CA"})
    assert spec.calling_hours.to_json()["weekday"] == ["09:00", "21:30"]
    validate_spec(spec)


def test_changes_name_each_wrong_field_and_refuse_unknown_ones() -> None:
    spec = new_spec({"name": "T", "caller_id": "+12025550100"})
    with pytest.raises(ValidationError) as raised:
        apply_changes(
            spec,
            {"dial_ratio": "lots", "max_lines": 1.5, "dial_mode": "turbo", "colour": "red",
             "calling_hours": {"monday": ["09:00", "10:00"]}, "retry_policy": {"busy": 3}},
        )  # fmt: skip
    fields = {problem.split(":")[0] for problem in raised.value.problems}
    assert fields == {
        "dial_ratio", "max_lines", "dial_mode", "colour", "calling_hours", "retry_policy.busy"
    }  # fmt: skip


def test_read_only_fields_sent_back_from_a_get_are_ignored() -> None:
    spec = new_spec({"name": "T", "caller_id": "+12025550100"})
    changed = apply_changes(spec, {"id": 9, "state": "running", "max_attempts": 9})
    assert changed.max_attempts == 9


def test_booleans_are_not_numbers() -> None:
    spec = new_spec({"name": "T", "caller_id": "+12025550100"})
    with pytest.raises(ValidationError):
        apply_changes(spec, {"max_attempts": True})
