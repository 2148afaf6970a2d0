"""A campaign's settings, validated into a frozen CampaignSpec before anything is stored."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime, time
from enum import StrEnum
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import phonenumbers

from campaigns.amd_policy import AmdMode, MachineAction, NotSureAction, machine_sample_problems
from campaigns.amd_thresholds import (
    DEFAULT_THRESHOLDS,
    AmdThresholds,
    threshold_problems,
    thresholds_as_json,
)
from campaigns.attempt import RetryableOutcome
from campaigns.errors import ValidationError
from campaigns.rules import RULE_SETS, CallingHours, RuleSet, RuleSetName, Window
from campaigns.transfer_destinations import destination_problems


class CampaignState(StrEnum):
    STOPPED = "stopped"
    RUNNING = "running"
    PAUSED = "paused"


class DialMode(StrEnum):
    PREVIEW = "preview"  # the agent sees the contact and clicks dial or skip
    PROGRESSIVE = "progressive"  # one call per idle agent
    RATIO = "ratio"  # a fixed number of calls per idle agent
    PREDICTIVE = "predictive"  # as many calls as the abandonment target allows


class ContactKind(StrEnum):
    CALLBACK = "callback"
    RETRY = "retry"
    FRESH = "fresh"


class RecordingMode(StrEnum):
    NEVER = "never"
    ON_DEMAND = "on_demand"
    ALWAYS = "always"


@dataclass(frozen=True)
class RetryRule:
    delay_s: int
    max_attempts: int


DEFAULT_RETRY_POLICY: Mapping[RetryableOutcome, RetryRule] = {
    RetryableOutcome.BUSY: RetryRule(delay_s=15 * 60, max_attempts=3),
    RetryableOutcome.NO_ANSWER: RetryRule(delay_s=2 * 3600, max_attempts=3),
    RetryableOutcome.MACHINE: RetryRule(delay_s=4 * 3600, max_attempts=2),
    RetryableOutcome.ABANDONED: RetryRule(delay_s=24 * 3600, max_attempts=2),
    RetryableOutcome.REJECTED: RetryRule(delay_s=24 * 3600, max_attempts=1),
    RetryableOutcome.FAILED: RetryRule(delay_s=30 * 60, max_attempts=3),
}


@dataclass(frozen=True)
class Schedule:
    """When the campaign itself runs, in its own time zone; no days means always."""

    days: tuple[int, ...] = ()
    start: time | None = None
    end: time | None = None

    def is_open(self, moment: datetime, zone: ZoneInfo) -> bool:
        if not self.days:
            return True
        local = moment.astimezone(zone)
        if local.weekday() not in self.days:
            return False
        return self.start is None or self.end is None or self.start <= local.time() < self.end

    def to_json(self) -> dict[str, Any]:
        if not self.days:
            return {}
        return {
            "days": list(self.days),
            "start": self.start.strftime("%H:%M") if self.start else None,
            "end": self.end.strftime("%H:%M") if self.end else None,
        }


@dataclass(frozen=True)
class CampaignSpec:
    name: str
    caller_id: str
    trunk: str | None = None
    dial_mode: DialMode = DialMode.PREDICTIVE
    dial_ratio: float = 1.5
    abandon_target: float = 0.025
    min_agents_predictive: int = 3
    max_lines: int | None = None
    rule_set: RuleSetName = RuleSetName.US
    calling_hours: CallingHours = RULE_SETS[RuleSetName.US].calling_hours
    ring_timeout_s: int = 25
    max_attempts: int = 5
    retry_policy: Mapping[RetryableOutcome, RetryRule] = field(
        default_factory=lambda: dict(DEFAULT_RETRY_POLICY)
    )
    contact_order: tuple[ContactKind, ...] = (
        ContactKind.CALLBACK,
        ContactKind.RETRY,
        ContactKind.FRESH,
    )
    abandon_message: str | None = None
    wrapup_limit_s: int = 60
    schedule: Schedule = Schedule()
    timezone: str = "UTC"
    default_region: str = "US"
    recording: RecordingMode = RecordingMode.NEVER
    # Answering-machine detection (docs/amd.md): off, or on with what to do with machines and
    # with calls it cannot classify (silence, noise). The voicemail WAV is left after the beep.
    amd: AmdMode = AmdMode.OFF
    amd_on_machine: MachineAction = MachineAction.HANG_UP
    amd_on_not_sure: NotSureAction = NotSureAction.TO_AGENT
    voicemail_message: str | None = None
    # The detector's thresholds (campaigns/amd_thresholds.py); the defaults are the tuned ones.
    amd_thresholds: AmdThresholds = DEFAULT_THRESHOLDS
    # Share of MACHINE verdicts handed to an agent anyway, whose disposition checks the verdict
    # (campaigns.amd_policy.samples_machine_verdict): 0.02 sends 1 in 50. 0 checks none.
    amd_machine_sample: float = 0.0
    # Days a call recording is kept after the call; then the sweep deletes the file.
    recording_retention_days: int = 90
    # Seconds an agent may look at a previewed contact before it goes back (docs/telephony.md).
    preview_timeout_s: int = 300
    # Where agents may transfer calls (campaigns.transfer_destinations): E.164 numbers or
    # patterns; empty: no transfer to an external number (no toll fraud by default).
    transfer_destinations: tuple[str, ...] = ()

    @property
    def rules(self) -> RuleSet:
        return RULE_SETS[self.rule_set]


@dataclass(frozen=True)
class Campaign:
    id: int
    state: CampaignState
    spec: CampaignSpec
    trunk_id: int | None
    created_at: datetime
    updated_at: datetime

    @property
    def name(self) -> str:
        return self.spec.name


_NAME = re.compile(r"^[\w][\w .\-]{0,79}$")


def validate_spec(spec: CampaignSpec) -> CampaignSpec:
    """The spec with its caller ID in E.164, or ValidationError listing every problem."""
    problems: list[str] = []
    rules = spec.rules
    if not _NAME.match(spec.name):
        problems.append("name: 1-80 letters, digits, spaces, '.', '-' or '_'")
    caller_id = _e164(spec.caller_id, spec.default_region)
    if caller_id is None:
        problems.append(f"caller_id: {spec.caller_id!r} is not a valid phone number")
    if not 1.0 <= spec.dial_ratio <= 5.0:
        problems.append("dial_ratio: must be between 1.0 and 5.0")
    if not 0 < spec.abandon_target <= rules.abandon_cap:
        problems.append(
            f"abandon_target: must be above 0 and at most the {rules.name} cap "
            f"{rules.abandon_cap:.1%}"
        )
    if spec.min_agents_predictive < 1:
        problems.append("min_agents_predictive: must be at least 1")
    if spec.max_lines is not None and spec.max_lines < 1:
        problems.append("max_lines: must be at least 1")
    if not rules.min_ring_timeout_s <= spec.ring_timeout_s <= 120:
        problems.append(
            f"ring_timeout_s: must be {rules.min_ring_timeout_s}-120 s "
            f"({rules.name} rules: never give up before {rules.min_ring_timeout_s} s)"
        )
    if not 1 <= spec.max_attempts <= 50:
        problems.append("max_attempts: must be 1-50")
    for outcome, rule in spec.retry_policy.items():
        if rule.delay_s < 0 or rule.max_attempts < 0:
            problems.append(f"retry_policy.{outcome}: delay and attempts must not be negative")
    if sorted(spec.contact_order) != sorted(ContactKind):
        problems.append("contact_order: must name callback, retry and fresh once each")
    if not 5 <= spec.wrapup_limit_s <= 3600:
        problems.append("wrapup_limit_s: must be 5-3600 s")
    if not 1 <= spec.recording_retention_days <= 3650:
        problems.append("recording_retention_days: must be 1-3650 days")
    if not 30 <= spec.preview_timeout_s <= 3600:
        problems.append("preview_timeout_s: must be 30-3600 s")
    problems += destination_problems(spec.transfer_destinations)
    try:
        ZoneInfo(spec.timezone)
    except (ZoneInfoNotFoundError, ValueError):
        problems.append(f"timezone: unknown time zone {spec.timezone!r}")
    if spec.default_region not in phonenumbers.SUPPORTED_REGIONS:
        problems.append(f"default_region: unknown region {spec.default_region!r}")
    problems += _window_problems(spec.calling_hours)
    if any(day not in range(7) for day in spec.schedule.days):
        problems.append("schedule.days: days are 0 (Monday) to 6 (Sunday)")
    if spec.amd_on_machine is MachineAction.LEAVE_MESSAGE and not spec.voicemail_message:
        problems.append("voicemail_message: a WAV path is needed to leave messages on machines")
    problems += threshold_problems(spec.amd_thresholds)
    problems += machine_sample_problems(spec.amd_machine_sample)
    if problems:
        raise ValidationError(problems)
    return replace(spec, caller_id=caller_id or spec.caller_id)


def _window_problems(hours: CallingHours) -> list[str]:
    problems = []
    for day, window in (
        ("weekday", hours.weekday),
        ("saturday", hours.saturday),
        ("sunday", hours.sunday),
    ):
        if window is not None and window.start >= window.end:
            problems.append(f"calling_hours.{day}: the window must start before it ends")
    return problems


def _e164(number: str, region: str) -> str | None:
    try:
        parsed = phonenumbers.parse(
            number, region if region in phonenumbers.SUPPORTED_REGIONS else None
        )
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_valid_number(parsed):
        return None
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)


def parse_window(text: str) -> Window:
    """'08:00-21:00' -> Window; raises ValueError with a readable message."""
    try:
        start_text, end_text = (part.strip() for part in text.split("-"))
        return Window(time.fromisoformat(start_text), time.fromisoformat(end_text))
    except ValueError:
        raise ValueError(f"expected HH:MM-HH:MM, got {text!r}") from None


def campaign_as_dict(campaign: Campaign) -> dict[str, Any]:
    """The campaign as plain JSON-ready data (CLI `--json`, the JSON API)."""
    spec = campaign.spec
    return {
        "id": campaign.id,
        "name": spec.name,
        "state": campaign.state.value,
        "caller_id": spec.caller_id,
        "trunk": spec.trunk,
        "dial_mode": spec.dial_mode.value,
        "dial_ratio": spec.dial_ratio,
        "abandon_target": spec.abandon_target,
        "min_agents_predictive": spec.min_agents_predictive,
        "max_lines": spec.max_lines,
        "rule_set": spec.rule_set.value,
        "calling_hours": spec.calling_hours.to_json(),
        "ring_timeout_s": spec.ring_timeout_s,
        "max_attempts": spec.max_attempts,
        "retry_policy": {
            str(outcome): {"delay_s": rule.delay_s, "max_attempts": rule.max_attempts}
            for outcome, rule in spec.retry_policy.items()
        },
        "contact_order": [kind.value for kind in spec.contact_order],
        "abandon_message": spec.abandon_message,
        "wrapup_limit_s": spec.wrapup_limit_s,
        "schedule": spec.schedule.to_json(),
        "timezone": spec.timezone,
        "default_region": spec.default_region,
        "recording": spec.recording.value,
        "amd": spec.amd.value,
        "amd_on_machine": spec.amd_on_machine.value,
        "amd_on_not_sure": spec.amd_on_not_sure.value,
        "voicemail_message": spec.voicemail_message,
        "amd_thresholds": thresholds_as_json(spec.amd_thresholds),
        "amd_machine_sample": spec.amd_machine_sample,
        "recording_retention_days": spec.recording_retention_days,
        "preview_timeout_s": spec.preview_timeout_s,
        "transfer_destinations": list(spec.transfer_destinations),
        "created_at": campaign.created_at.isoformat(),
        "updated_at": campaign.updated_at.isoformat(),
    }
