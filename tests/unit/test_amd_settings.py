"""AMD thresholds are validated campaign settings; NOT_SURE goes to an agent."""

from __future__ import annotations

import pytest

from dialer.amd import AmdSettings, AmdSettingsError, BeepSettings, Decision, connects_to_agent
from dialer.amd.settings import settings_as_dict

pytestmark = pytest.mark.unit


def test_not_sure_is_treated_as_a_person() -> None:
    assert connects_to_agent(Decision.NOT_SURE)
    assert connects_to_agent(Decision.HUMAN)
    assert not connects_to_agent(Decision.MACHINE)


@pytest.mark.parametrize(
    "field",
    [
        "initial_silence_ms",
        "greeting_ms",
        "after_greeting_silence_ms",
        "after_hello_silence_ms",
        "hello_ms",
        "hello_words",
        "total_analysis_ms",
        "min_word_ms",
        "between_words_silence_ms",
        "max_words",
        "max_word_ms",
        "voice_margin_db",
    ],
)
def test_a_non_positive_threshold_is_rejected_by_name(field: str) -> None:
    with pytest.raises(AmdSettingsError, match=field):
        AmdSettings(**{field: 0})  # type: ignore[arg-type]


def test_a_silence_threshold_above_full_scale_is_rejected() -> None:
    with pytest.raises(AmdSettingsError, match="silence_threshold_dbfs"):
        AmdSettings(silence_threshold_dbfs=3.0)


def test_silence_limits_cannot_exceed_the_total_analysis_time() -> None:
    with pytest.raises(AmdSettingsError, match="initial_silence_ms"):
        AmdSettings(initial_silence_ms=6000, total_analysis_ms=5000)


def test_the_silence_after_a_short_hello_cannot_exceed_the_one_after_a_greeting() -> None:
    with pytest.raises(AmdSettingsError, match="after_hello_silence_ms"):
        AmdSettings(after_hello_silence_ms=1000, after_greeting_silence_ms=900)


def test_an_unknown_initial_silence_verdict_is_rejected() -> None:
    with pytest.raises(AmdSettingsError, match="initial_silence_decision"):
        AmdSettings(initial_silence_decision="maybe")  # type: ignore[arg-type]


def test_beep_band_and_lengths_must_be_ordered() -> None:
    with pytest.raises(AmdSettingsError, match="min_hz"):
        BeepSettings(min_hz=2000, max_hz=1000)
    with pytest.raises(AmdSettingsError, match="min_tone_ms"):
        BeepSettings(min_tone_ms=500, max_tone_ms=100)
    with pytest.raises(AmdSettingsError, match="min_purity"):
        BeepSettings(min_purity=1.5)


def test_settings_are_frozen_and_serialisable_for_the_attempt_record() -> None:
    settings = AmdSettings()
    with pytest.raises(AttributeError):
        settings.greeting_ms = 1  # type: ignore[misc]
    assert settings_as_dict(settings)["greeting_ms"] == settings.greeting_ms
