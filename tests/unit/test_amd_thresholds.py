"""A campaign's AMD thresholds: tuned defaults, ranges and relations, named in every message."""

from __future__ import annotations

from dataclasses import replace

import pytest

from campaigns.amd_thresholds import (
    DEFAULT_THRESHOLDS,
    MAX_AFTER_GREETING_SILENCE_MS,
    THRESHOLD_NAMES,
    AmdThresholds,
    SilentAnswer,
    threshold_problems,
    thresholds_as_json,
    thresholds_from_json,
)
from campaigns.campaign import CampaignSpec, validate_spec
from campaigns.campaign_changes import apply_changes
from campaigns.errors import ValidationError
from dialer.amd import AmdSettings, BeepSettings, settings_as_dict
from dialer.call_flow.amd_policy import detector_settings
from dialer.call_flow.model import CONNECT_WINDOW, MESSAGE_MARGIN


def test_the_defaults_are_the_classifiers_tuned_values_so_nothing_changes() -> None:
    settings, beep = detector_settings(DEFAULT_THRESHOLDS)
    assert settings == AmdSettings()
    assert beep == BeepSettings()


def test_every_classifier_setting_is_a_campaign_threshold() -> None:
    greeting = set(settings_as_dict(AmdSettings()))
    beep = {f"beep_{name}" for name in settings_as_dict(BeepSettings())}
    assert set(THRESHOLD_NAMES) == greeting | beep


def test_the_defaults_are_valid() -> None:
    assert threshold_problems(DEFAULT_THRESHOLDS) == []


def test_a_campaigns_values_reach_the_classifier_settings() -> None:
    thresholds = replace(
        DEFAULT_THRESHOLDS,
        greeting_ms=2400,
        initial_silence_decision=SilentAnswer.NOT_SURE,
        beep_max_wait_ms=30000,
    )
    settings, beep = detector_settings(thresholds)
    assert settings.greeting_ms == 2400
    assert settings.initial_silence_decision == "not_sure"
    assert beep.max_wait_ms == 30000


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("initial_silence_ms", 500),
        ("greeting_ms", 9000),
        ("max_words", 0),
        ("silence_threshold_dbfs", -5.0),
        ("beep_min_purity", 1.5),
        ("beep_max_hz", 4000.0),
    ],
)
def test_a_value_out_of_range_names_the_field_and_the_range(name: str, value: float) -> None:
    problem = threshold_problems(replace(DEFAULT_THRESHOLDS, **{name: value}))[0]
    assert problem.startswith(f"amd_thresholds.{name}: must be ")
    assert str(value) in problem


def test_the_silence_after_a_greeting_leaves_time_to_bridge_an_agent_within_2_s() -> None:
    budget = CONNECT_WINDOW - MESSAGE_MARGIN
    assert budget.total_seconds() * 1000 > MAX_AFTER_GREETING_SILENCE_MS
    too_long = replace(DEFAULT_THRESHOLDS, after_greeting_silence_ms=1600)
    assert any("after_greeting_silence_ms" in p for p in threshold_problems(too_long))


def test_total_analysis_time_must_hear_out_a_greeting_just_under_the_limit() -> None:
    thresholds = replace(DEFAULT_THRESHOLDS, total_analysis_ms=2500, initial_silence_ms=2000)
    [problem] = threshold_problems(thresholds)
    assert problem.startswith("amd_thresholds.total_analysis_ms: must be at least greeting_ms")


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"initial_silence_ms": 6000}, "initial_silence_ms"),
        ({"beep_min_hz": 900.0, "beep_max_hz": 1000.0, "beep_max_drift_hz": 40.0}, None),
        ({"beep_min_hz": 1000.0, "beep_max_hz": 1000.0}, "beep_min_hz"),
        ({"beep_min_tone_ms": 600, "beep_max_tone_ms": 500}, "beep_min_tone_ms"),
        ({"beep_silence_fallback_ms": 6000, "beep_max_wait_ms": 6000}, "beep_silence_fallback_ms"),
        ({"total_analysis_ms": 8000, "beep_max_wait_ms": 6000}, "beep_max_wait_ms"),
        ({"min_word_ms": 500, "greeting_ms": 500}, "min_word_ms"),
        (
            {"after_hello_silence_ms": 1000, "after_greeting_silence_ms": 900},
            "after_hello_silence_ms",
        ),
    ],
)
def test_relations_between_thresholds(changes: dict[str, float], field: str | None) -> None:
    problems = threshold_problems(replace(DEFAULT_THRESHOLDS, **changes))
    if field is None:
        assert problems == []
    else:
        assert problems and all(p.startswith(f"amd_thresholds.{field}: ") for p in problems)


def test_validate_spec_reports_threshold_problems_with_the_rest() -> None:
    spec = CampaignSpec(
        name="x", caller_id="bad", amd_thresholds=replace(DEFAULT_THRESHOLDS, max_words=99)
    )
    with pytest.raises(ValidationError) as raised:
        validate_spec(spec)
    assert any(p.startswith("caller_id") for p in raised.value.problems)
    assert any(p.startswith("amd_thresholds.max_words") for p in raised.value.problems)


def test_plain_data_changes_only_the_thresholds_it_names() -> None:
    spec = CampaignSpec(name="x", caller_id="+12025550100")
    spec = apply_changes(spec, {"amd_thresholds": {"greeting_ms": "2400"}})
    spec = apply_changes(spec, {"amd_thresholds": {"max_words": 6, "steady_ms": ""}})
    assert spec.amd_thresholds == replace(DEFAULT_THRESHOLDS, greeting_ms=2400, max_words=6)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"greeting": 1}, "amd_thresholds.greeting: not an AMD threshold"),
        ({"greeting_ms": "long"}, "amd_thresholds.greeting_ms: expected a number"),
        ({"greeting_ms": 1500.5}, "amd_thresholds.greeting_ms: expected a whole number"),
        ({"max_words": True}, "amd_thresholds.max_words: expected a number"),
        ({"initial_silence_decision": "human"}, "amd_thresholds.initial_silence_decision: one of"),
    ],
)
def test_wrong_types_are_refused_by_name(data: dict[str, object], message: str) -> None:
    with pytest.raises(ValidationError) as raised:
        thresholds_from_json(data)
    assert raised.value.problems[0].startswith(message)


def test_stored_form_keeps_only_what_differs_from_the_defaults() -> None:
    thresholds = replace(DEFAULT_THRESHOLDS, voice_margin_db=12.0)
    assert thresholds_as_json(thresholds, changed_only=True) == {"voice_margin_db": 12.0}
    assert thresholds_from_json(thresholds_as_json(thresholds)) == thresholds
    assert thresholds_from_json({}) == AmdThresholds()
