"""The campaign form's fields into the plain data `campaigns.campaign_changes` reads, and back.

The form shows every setting of the foundation; the abandonment target is typed in percent
(as supervisors speak of it) and stored as a fraction.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from campaigns.amd_thresholds import THRESHOLD_NAMES, ThresholdGroup, bounds
from campaigns.attempt import RetryableOutcome
from campaigns.campaign import Campaign, CampaignSpec, campaign_as_dict
from campaigns.errors import ValidationError

DAYS = ("weekday", "saturday", "sunday")
WEEKDAY_NAMES = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_PLAIN = (
    "name", "caller_id", "trunk", "dial_mode", "dial_ratio", "min_agents_predictive",
    "max_lines", "rule_set", "ring_timeout_s", "max_attempts", "abandon_message",
    "wrapup_limit_s", "timezone", "default_region", "recording", "recording_retention_days",
    "preview_timeout_s",
    "amd", "amd_on_machine", "amd_on_not_sure", "voicemail_message",
)  # fmt: skip


_AMD_CHOICES = ("amd", "amd_on_machine", "amd_on_not_sure")
# Each AMD threshold is the form field `amd_t_<name>`; an empty one keeps the current value.
THRESHOLD_PREFIX = "amd_t_"


def threshold_fields() -> list[dict[str, Any]]:
    """The "AMD thresholds" fieldset: name, label, unit, range and group of each input."""
    rows = []
    for name in THRESHOLD_NAMES:
        limits = bounds(name)
        if limits is None:
            continue  # initial_silence_decision: a select of its own in the template
        rows.append(
            {
                "field": THRESHOLD_PREFIX + name,
                "label": f"{limits.label} ({limits.unit})" if limits.unit else limits.label,
                "hint": f"{name}, {limits.low:g}-{limits.high:g}",
                "low": limits.low,
                "high": limits.high,
                "step": "1" if name.endswith("_ms") or name == "max_words" else "any",
                "beep": limits.group is ThresholdGroup.BEEP,
            }
        )
    return rows


def form_to_data(form: Mapping[str, str], days: list[str]) -> dict[str, Any]:
    """`days`: the checked schedule day boxes (form.getlist('schedule_days'))."""
    data: dict[str, Any] = {key: form.get(key, "").strip() for key in _PLAIN}
    for key in _AMD_CHOICES:  # a form without them (older pages, scripts) keeps the campaign's
        if not data[key]:
            del data[key]
    if not data["recording_retention_days"]:
        del data["recording_retention_days"]  # left empty: the default (or the current value)
    if not data["preview_timeout_s"]:
        del data["preview_timeout_s"]
    if "transfer_destinations" in form:  # one per line or space-separated; empty: none
        data["transfer_destinations"] = form["transfer_destinations"].strip()
    data["abandon_target"] = _share(form, "abandon_target", "2.5")
    if form.get("amd_machine_sample_pct", "").strip():  # empty: keep the campaign's
        data["amd_machine_sample"] = _share(form, "amd_machine_sample", "2")
    data["calling_hours"] = {day: form.get(f"hours_{day}", "").strip() or None for day in DAYS}
    thresholds = {
        name: form.get(THRESHOLD_PREFIX + name, "").strip()
        for name in THRESHOLD_NAMES
        if form.get(THRESHOLD_PREFIX + name, "").strip()
    }
    if thresholds:
        data["amd_thresholds"] = thresholds
    data["retry_policy"] = {
        outcome.value: {
            "delay_s": form.get(f"retry_{outcome.value}_delay_s", "").strip(),
            "max_attempts": form.get(f"retry_{outcome.value}_max_attempts", "").strip(),
        }
        for outcome in RetryableOutcome
        if form.get(f"retry_{outcome.value}_delay_s", "").strip()
    }
    data["contact_order"] = [
        part.strip() for part in form.get("contact_order", "").split(",") if part.strip()
    ]
    if days:
        data["schedule"] = {
            "days": days,
            "start": form.get("schedule_start", "").strip() or None,
            "end": form.get("schedule_end", "").strip() or None,
        }
    else:
        data["schedule"] = {}
    return data


def spec_to_form(spec: CampaignSpec, campaign: Campaign | None = None) -> dict[str, Any]:
    """Values to fill the form with."""
    data = campaign_as_dict(campaign) if campaign else _spec_dict(spec)
    values: dict[str, Any] = {key: data.get(key) for key in _PLAIN}
    values["abandon_target_pct"] = round(spec.abandon_target * 100, 4)
    values["amd_machine_sample_pct"] = round(spec.amd_machine_sample * 100, 4)
    for day in DAYS:
        window = data["calling_hours"].get(day)
        values[f"hours_{day}"] = f"{window[0]}-{window[1]}" if window else ""
    for outcome in RetryableOutcome:
        rule = spec.retry_policy.get(outcome)
        values[f"retry_{outcome.value}_delay_s"] = rule.delay_s if rule else ""
        values[f"retry_{outcome.value}_max_attempts"] = rule.max_attempts if rule else ""
    for name, value in data["amd_thresholds"].items():
        values[THRESHOLD_PREFIX + name] = value
    values["contact_order"] = ",".join(kind.value for kind in spec.contact_order)
    values["transfer_destinations"] = " ".join(spec.transfer_destinations)
    values["schedule_days"] = [str(day) for day in spec.schedule.days]
    schedule = spec.schedule.to_json()
    values["schedule_start"] = schedule.get("start") or ""
    values["schedule_end"] = schedule.get("end") or ""
    return values


def _share(form: Mapping[str, str], name: str, example: str) -> float | str:
    """The form's `<name>_pct` (typed in percent) as a fraction; empty stays empty."""
    pct = form.get(f"{name}_pct", "").strip()
    try:
        return round(float(pct) / 100, 6) if pct else ""
    except ValueError:
        raise ValidationError([f"{name}: a percentage, e.g. {example}"]) from None


def form_values(form: Mapping[str, str], days: list[str]) -> dict[str, Any]:
    """What the user typed, to show again beside the problems."""
    values = dict(form)
    values["schedule_days"] = days
    return values


def _spec_dict(spec: CampaignSpec) -> dict[str, Any]:
    from datetime import UTC, datetime

    from campaigns.campaign import CampaignState

    placeholder = Campaign(
        0, CampaignState.STOPPED, spec, None, datetime.now(UTC), datetime.now(UTC)
    )
    return campaign_as_dict(placeholder)
