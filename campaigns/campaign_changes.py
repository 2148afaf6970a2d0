"""Campaign settings from plain data (the JSON API, the dashboard's forms) onto a CampaignSpec.

The keys are those of `campaign_as_dict`, so what the API returns can be sent back. Values are
type-checked here, each problem named by its field; the rules themselves stay in `validate_spec`,
which callers run on the result, exactly as the CLI does.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import replace
from datetime import time
from functools import partial
from typing import Any

from campaigns.amd_policy import AmdMode, MachineAction, NotSureAction
from campaigns.amd_thresholds import thresholds_from_json
from campaigns.attempt import RetryableOutcome
from campaigns.campaign import (
    Campaign,
    CampaignSpec,
    CampaignState,
    ContactKind,
    DialMode,
    RecordingMode,
    RetryRule,
    Schedule,
    parse_window,
)
from campaigns.errors import ValidationError
from campaigns.rules import RULE_SETS, CallingHours, RuleSetName, Window
from campaigns.transfer_destinations import parse_destinations

# Settings never changed through plain data: identity, state and timestamps.
READ_ONLY = frozenset({"id", "state", "created_at", "updated_at"})
_DAYS = ("weekday", "saturday", "sunday")


def new_spec(data: Mapping[str, Any]) -> CampaignSpec:
    """A spec for a new campaign: the rule set's defaults for whatever `data` does not give."""
    problems = [f"{key}: required" for key in ("name", "caller_id") if not data.get(key)]
    if problems:
        raise ValidationError(problems)
    rule_set = _enum(RuleSetName, data.get("rule_set") or RuleSetName.US, "rule_set")
    base = CampaignSpec(
        name=str(data["name"]),
        caller_id=str(data["caller_id"]),
        rule_set=rule_set,
        calling_hours=RULE_SETS[rule_set].calling_hours,
    )
    return apply_changes(base, data)


def apply_changes(spec: CampaignSpec, data: Mapping[str, Any]) -> CampaignSpec:
    """`spec` with every setting `data` names replaced; unknown keys are an error."""
    problems: list[str] = []
    changes: dict[str, Any] = {}
    for key, value in data.items():
        if key in READ_ONLY:
            continue
        parser = _PARSERS.get(key)
        if key == "calling_hours":
            # Days not named keep their window: {"sunday": null} stops Sunday calls only.
            parser = partial(_calling_hours, base=spec.calling_hours)
        if key == "amd_thresholds":
            # Thresholds not named keep their value: {"greeting_ms": 2400} changes one.
            parser = partial(thresholds_from_json, base=spec.amd_thresholds)
        if parser is None:
            problems.append(f"{key}: not a campaign setting")
            continue
        try:
            changes[key] = parser(value)
        except ValidationError as error:
            problems += error.problems
    if problems:
        raise ValidationError(problems)
    return replace(spec, **changes)


def _text(field: str, optional: bool = False) -> Callable[[Any], str | None]:
    def parse(value: Any) -> str | None:
        if value is None or value == "":
            if optional:
                return None
            raise ValidationError([f"{field}: required"])
        if not isinstance(value, str):
            raise ValidationError([f"{field}: expected text"])
        return value.strip()

    return parse


def _number(
    field: str, kind: type[int] | type[float], optional: bool = False
) -> Callable[[Any], Any]:
    def parse(value: Any) -> int | float | None:
        if value is None or value == "":
            if optional:
                return None
            raise ValidationError([f"{field}: required"])
        if isinstance(value, bool):
            raise ValidationError([f"{field}: expected a number"])
        try:
            number = kind(value)
        except (TypeError, ValueError):
            raise ValidationError(
                [f"{field}: expected {'an integer' if kind is int else 'a number'}"]
            ) from None
        if kind is int and isinstance(value, float) and not value.is_integer():
            raise ValidationError([f"{field}: expected an integer"])
        return number

    return parse


def _enum(kind: Any, value: Any, field: str) -> Any:
    try:
        return kind(value)
    except ValueError:
        raise ValidationError(
            [f"{field}: one of {', '.join(str(m.value) for m in kind)}, got {value!r}"]
        ) from None


def _window(value: Any, field: str) -> Window | None:
    if value is None or value in ("", "off"):
        return None
    try:
        if isinstance(value, str):
            return parse_window(value)
        if isinstance(value, list | tuple) and len(value) == 2:
            return Window(time.fromisoformat(value[0]), time.fromisoformat(value[1]))
    except (TypeError, ValueError):
        pass
    raise ValidationError([f'{field}: expected ["HH:MM", "HH:MM"], "HH:MM-HH:MM" or null'])


def _calling_hours(value: Any, base: CallingHours) -> CallingHours:
    if not isinstance(value, Mapping) or set(value) - set(_DAYS):
        raise ValidationError(["calling_hours: an object with weekday, saturday and/or sunday"])
    windows = {day: _window(value[day], f"calling_hours.{day}") for day in _DAYS if day in value}
    return replace(base, **windows)


def _retry_policy(value: Any) -> dict[RetryableOutcome, RetryRule]:
    if not isinstance(value, Mapping):
        raise ValidationError(["retry_policy: an object of outcome -> {delay_s, max_attempts}"])
    policy = {}
    for outcome, rule in value.items():
        field = f"retry_policy.{outcome}"
        kind = _enum(RetryableOutcome, outcome, "retry_policy")
        if not isinstance(rule, Mapping):
            raise ValidationError([f"{field}: an object with delay_s and max_attempts"])
        policy[kind] = RetryRule(
            _number(f"{field}.delay_s", int)(rule.get("delay_s")),
            _number(f"{field}.max_attempts", int)(rule.get("max_attempts")),
        )
    return policy


def _contact_order(value: Any) -> tuple[ContactKind, ...]:
    if not isinstance(value, list | tuple):
        raise ValidationError(["contact_order: a list of callback, retry and fresh"])
    return tuple(_enum(ContactKind, item, "contact_order") for item in value)


def _schedule(value: Any) -> Schedule:
    if not value:
        return Schedule()
    if not isinstance(value, Mapping) or not isinstance(value.get("days"), list | tuple):
        raise ValidationError(['schedule: {} or {"days": [0-6], "start": HH:MM, "end": HH:MM}'])
    try:
        days = tuple(int(day) for day in value["days"])
        start = time.fromisoformat(value["start"]) if value.get("start") else None
        end = time.fromisoformat(value["end"]) if value.get("end") else None
    except (TypeError, ValueError):
        raise ValidationError(["schedule: days are integers 0-6, start and end HH:MM"]) from None
    return Schedule(days, start, end)


def _region(value: Any) -> str:
    text = _text("default_region")(value)
    return (text or "").upper()


_PARSERS: dict[str, Callable[[Any], Any]] = {
    "name": _text("name"),
    "caller_id": _text("caller_id"),
    "trunk": _text("trunk", optional=True),
    "dial_mode": lambda v: _enum(DialMode, v, "dial_mode"),
    "dial_ratio": _number("dial_ratio", float),
    "abandon_target": _number("abandon_target", float),
    "min_agents_predictive": _number("min_agents_predictive", int),
    "max_lines": _number("max_lines", int, optional=True),
    "rule_set": lambda v: _enum(RuleSetName, v, "rule_set"),
    "ring_timeout_s": _number("ring_timeout_s", int),
    "max_attempts": _number("max_attempts", int),
    "retry_policy": _retry_policy,
    "contact_order": _contact_order,
    "abandon_message": _text("abandon_message", optional=True),
    "wrapup_limit_s": _number("wrapup_limit_s", int),
    "schedule": _schedule,
    "timezone": _text("timezone"),
    "default_region": _region,
    "recording": lambda v: _enum(RecordingMode, v, "recording"),
    "amd": lambda v: _enum(AmdMode, v, "amd"),
    "amd_on_machine": lambda v: _enum(MachineAction, v, "amd_on_machine"),
    "amd_on_not_sure": lambda v: _enum(NotSureAction, v, "amd_on_not_sure"),
    "voicemail_message": _text("voicemail_message", optional=True),
    "amd_machine_sample": _number("amd_machine_sample", float),
    "recording_retention_days": _number("recording_retention_days", int),
    "preview_timeout_s": _number("preview_timeout_s", int),
    "transfer_destinations": parse_destinations,
}


def check_transition(campaign: Campaign, new_state: CampaignState) -> None:
    """A campaign dials through its trunk: it cannot run without one."""
    if new_state is CampaignState.RUNNING and campaign.spec.trunk is None:
        raise ValidationError([f"trunk: campaign {campaign.name!r} has no trunk; set one first"])
