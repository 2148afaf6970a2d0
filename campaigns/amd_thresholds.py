"""A campaign's answering-machine detection thresholds: names, tuned defaults and sane ranges.

The classifier (`dialer.amd.AmdSettings`, `BeepSettings`) owns what the thresholds do; this
module owns what a supervisor may set, so `campaigns` can validate a campaign without importing
the audio code. The defaults are the values tuned in docs/amd.md and must equal the dialer's
(a unit test compares them), so a campaign that sets nothing behaves exactly as before.

The relations checked besides each range protect the rules: a person is connected
`after_greeting_silence_ms` after their greeting ends, and the US 2 s window runs from that end,
so that silence must leave time to bridge an agent before the abandonment message is due.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, fields, replace
from enum import StrEnum
from typing import Any

from campaigns.errors import ValidationError

# The 2 s of the rules, less the abandonment message's 0.3 s margin, less 0.2 s to bridge an
# agent (3-9 ms measured on loopback; real phones and trunks take longer).
MAX_AFTER_GREETING_SILENCE_MS = 2000 - 300 - 200


class ThresholdGroup(StrEnum):
    GREETING = "greeting"  # AmdSettings: the human/machine verdict
    BEEP = "beep"  # BeepSettings: waiting for the tone before leaving a message


class SilentAnswer(StrEnum):
    """What a call nobody speaks on is taken for (`initial_silence_decision`)."""

    MACHINE = "machine"
    NOT_SURE = "not_sure"


@dataclass(frozen=True)
class Bounds:
    low: float
    high: float
    unit: str
    label: str
    group: ThresholdGroup


def _threshold(
    default: float,
    low: float,
    high: float,
    unit: str,
    label: str,
    group: ThresholdGroup = ThresholdGroup.GREETING,
) -> Any:
    return field(default=default, metadata={"bounds": Bounds(low, high, unit, label, group)})


@dataclass(frozen=True)
class AmdThresholds:
    """Every threshold, with the defaults of docs/amd.md ("Thresholds and why")."""

    initial_silence_ms: int = _threshold(2500, 1000, 10000, "ms", "Initial silence")
    initial_silence_decision: SilentAnswer = SilentAnswer.MACHINE
    greeting_ms: int = _threshold(2000, 500, 5000, "ms", "Greeting length")
    wordy_greeting_ms: int = _threshold(1800, 500, 5000, "ms", "Wordy greeting length")
    wordy_greeting_words: int = _threshold(4, 1, 20, "words", "Wordy greeting words")
    beep_after_greeting_ms: int = _threshold(
        200, 100, 2500, "ms", "Beep after a short greeting (shortest)"
    )
    after_greeting_silence_ms: int = _threshold(
        900, 300, MAX_AFTER_GREETING_SILENCE_MS, "ms", "Silence after the greeting"
    )
    after_hello_silence_ms: int = _threshold(
        800, 300, MAX_AFTER_GREETING_SILENCE_MS, "ms", "Silence after a short hello"
    )
    hello_ms: int = _threshold(600, 100, 3000, "ms", "Short hello length (most)")
    hello_words: int = _threshold(2, 1, 10, "words", "Short hello words (most)")
    total_analysis_ms: int = _threshold(5000, 2000, 10000, "ms", "Total analysis time")
    min_word_ms: int = _threshold(60, 20, 500, "ms", "Shortest word")
    between_words_silence_ms: int = _threshold(50, 20, 500, "ms", "Silence between words")
    max_words: int = _threshold(8, 1, 20, "words", "Most words")
    max_word_ms: int = _threshold(5000, 1000, 10000, "ms", "Longest word")
    silence_threshold_dbfs: float = _threshold(-60.0, -90.0, -20.0, "dBFS", "Silence level")
    voice_margin_db: float = _threshold(10.0, 3.0, 30.0, "dB", "Voice above noise floor")
    floor_rise_db_per_s: float = _threshold(3.0, 0.0, 20.0, "dB/s", "Noise floor rise")
    steady_range_db: float = _threshold(8.0, 2.0, 20.0, "dB", "Steady noise range")
    steady_ms: int = _threshold(300, 100, 2000, "ms", "Steady noise duration")
    noise_max_purity: float = _threshold(0.3, 0.05, 0.9, "", "Noise tone purity (most)")
    beep_min_hz: float = _threshold(400.0, 200.0, 1000.0, "Hz", "Lowest beep", ThresholdGroup.BEEP)
    beep_max_hz: float = _threshold(
        2500.0, 1000.0, 3800.0, "Hz", "Highest beep", ThresholdGroup.BEEP
    )
    beep_min_tone_ms: int = _threshold(80, 40, 1000, "ms", "Shortest beep", ThresholdGroup.BEEP)
    beep_confirm_ms: int = _threshold(200, 0, 1000, "ms", "Quiet after a beep", ThresholdGroup.BEEP)
    beep_max_tone_ms: int = _threshold(2500, 200, 5000, "ms", "Longest beep", ThresholdGroup.BEEP)
    beep_min_purity: float = _threshold(0.95, 0.5, 1.0, "", "Beep purity", ThresholdGroup.BEEP)
    beep_max_drift_hz: float = _threshold(40.0, 5.0, 200.0, "Hz", "Beep drift", ThresholdGroup.BEEP)
    beep_min_level_dbfs: float = _threshold(
        -45.0, -70.0, -10.0, "dBFS", "Beep level (least)", ThresholdGroup.BEEP
    )
    beep_max_wait_ms: int = _threshold(
        20000, 5000, 60000, "ms", "Longest wait for a beep", ThresholdGroup.BEEP
    )
    beep_silence_fallback_ms: int = _threshold(
        2500, 500, 10000, "ms", "Silence that ends the wait", ThresholdGroup.BEEP
    )


THRESHOLD_NAMES: tuple[str, ...] = tuple(f.name for f in fields(AmdThresholds))
DEFAULT_THRESHOLDS = AmdThresholds()


def bounds(name: str) -> Bounds | None:
    """The range and label of a numeric threshold; None for the silent-answer choice."""
    for f in fields(AmdThresholds):
        if f.name == name:
            found = f.metadata.get("bounds")
            return found if isinstance(found, Bounds) else None
    raise KeyError(name)


def threshold_problems(thresholds: AmdThresholds) -> list[str]:
    """Every value out of its range and every broken relation, each naming its field."""
    problems: list[str] = []
    for name in THRESHOLD_NAMES:
        limits = bounds(name)
        value = getattr(thresholds, name)
        if limits is not None and not limits.low <= value <= limits.high:
            unit = f" {limits.unit}" if limits.unit else ""
            problems.append(
                f"amd_thresholds.{name}: must be {limits.low:g}-{limits.high:g}{unit}, got {value}"
            )
    t = thresholds
    relations = (
        (
            t.initial_silence_ms < t.total_analysis_ms,
            "initial_silence_ms",
            "must be below total_analysis_ms, or silent calls are never called machines",
        ),
        (
            t.greeting_ms + t.after_greeting_silence_ms <= t.total_analysis_ms,
            "total_analysis_ms",
            "must be at least greeting_ms + after_greeting_silence_ms, so a person's greeting "
            "just under greeting_ms can still be heard out and called a person",
        ),
        (
            t.after_hello_silence_ms <= t.after_greeting_silence_ms,
            "after_hello_silence_ms",
            "must not exceed after_greeting_silence_ms (a short hello is the clearer case)",
        ),
        (
            t.min_word_ms < t.greeting_ms,
            "min_word_ms",
            "must be below greeting_ms",
        ),
        (
            t.min_word_ms < t.max_word_ms,
            "min_word_ms",
            "must be below max_word_ms",
        ),
        (
            t.beep_min_hz < t.beep_max_hz,
            "beep_min_hz",
            "must be below beep_max_hz",
        ),
        (
            t.beep_min_tone_ms <= t.beep_max_tone_ms,
            "beep_min_tone_ms",
            "must not exceed beep_max_tone_ms",
        ),
        (
            t.beep_confirm_ms < t.beep_silence_fallback_ms,
            "beep_confirm_ms",
            "must be below beep_silence_fallback_ms",
        ),
        (
            t.beep_silence_fallback_ms < t.beep_max_wait_ms,
            "beep_silence_fallback_ms",
            "must be below beep_max_wait_ms",
        ),
        (
            t.total_analysis_ms < t.beep_max_wait_ms,
            "beep_max_wait_ms",
            "must be above total_analysis_ms (the beep is awaited after the verdict)",
        ),
    )
    problems += [f"amd_thresholds.{name}: {why}" for ok, name, why in relations if not ok]
    return problems


def thresholds_as_json(thresholds: AmdThresholds, *, changed_only: bool = False) -> dict[str, Any]:
    """Plain values by name; `changed_only` keeps those that differ from the defaults (what is
    stored, so a campaign that never touched a threshold follows retuned defaults)."""
    values = {name: getattr(thresholds, name) for name in THRESHOLD_NAMES}
    values["initial_silence_decision"] = thresholds.initial_silence_decision.value
    if changed_only:
        defaults = thresholds_as_json(DEFAULT_THRESHOLDS)
        return {name: value for name, value in values.items() if value != defaults[name]}
    return values


def thresholds_from_json(
    value: Mapping[str, Any] | None, base: AmdThresholds = DEFAULT_THRESHOLDS
) -> AmdThresholds:
    """`base` with the values `value` names; types checked (ranges are `threshold_problems`').

    Empty strings and None keep the base value, so a form field left empty means "default".
    """
    if value is None:
        return base
    if not isinstance(value, Mapping):
        raise ValidationError(["amd_thresholds: an object of threshold name -> value"])
    problems: list[str] = []
    changes: dict[str, Any] = {}
    for name, raw in value.items():
        if name not in THRESHOLD_NAMES:
            problems.append(f"amd_thresholds.{name}: not an AMD threshold")
            continue
        if raw is None or raw == "":
            continue
        try:
            changes[name] = _parsed(name, raw)
        except ValueError as error:
            problems.append(f"amd_thresholds.{name}: {error}")
    if problems:
        raise ValidationError(problems)
    return replace(base, **changes)


def _parsed(name: str, raw: Any) -> Any:
    if name == "initial_silence_decision":
        try:
            return SilentAnswer(raw)
        except ValueError:
            raise ValueError(f"one of {', '.join(s.value for s in SilentAnswer)}") from None
    kind = type(getattr(DEFAULT_THRESHOLDS, name))
    if isinstance(raw, bool):
        raise ValueError("expected a number")
    try:
        number = float(raw)
    except (TypeError, ValueError):
        raise ValueError("expected a number") from None
    if kind is int:
        if not number.is_integer():
            raise ValueError("expected a whole number")
        return int(number)
    return number
