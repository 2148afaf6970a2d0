"""A campaign's answering-machine detection, as the call flow needs it for one attempt."""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from datetime import datetime, timedelta
from pathlib import Path

from campaigns.amd_policy import MachineAction, NotSureAction
from campaigns.amd_thresholds import AmdThresholds, ThresholdGroup, bounds
from dialer.amd import AmdSettings, BeepSettings, Cause, Decision

# The detector gives its verdict within total_analysis_ms of audio; audio may start a little
# after the answer (media set-up) and analysis runs on another thread: the guard allows for it.
DETECTION_SLACK = timedelta(seconds=1.5)


class AmdPolicyError(ValueError):
    pass


@dataclass(frozen=True)
class AmdPolicy:
    settings: AmdSettings = field(default_factory=AmdSettings)
    on_machine: MachineAction = MachineAction.HANG_UP
    on_not_sure: NotSureAction = NotSureAction.TO_AGENT
    voicemail_message: Path | None = None
    beep: BeepSettings = field(default_factory=BeepSettings)
    # This attempt was drawn to have a MACHINE verdict checked by an agent, whatever
    # `on_machine` says (campaigns.amd_policy.samples_machine_verdict).
    check_machine: bool = False

    def __post_init__(self) -> None:
        if self.on_machine is MachineAction.LEAVE_MESSAGE and self.voicemail_message is None:
            raise AmdPolicyError("leaving a message on machines needs a voicemail message WAV")

    @property
    def waits_for_beep(self) -> bool:
        return self.on_machine is MachineAction.LEAVE_MESSAGE

    def verdict_deadline(self, answered_at: datetime) -> datetime:
        return (
            answered_at + timedelta(milliseconds=self.settings.total_analysis_ms) + DETECTION_SLACK
        )

    def beep_deadline(self, answered_at: datetime) -> datetime:
        return answered_at + timedelta(milliseconds=self.beep.max_wait_ms) + DETECTION_SLACK

    def silence_before(self, cause: str) -> timedelta:
        """How long the person had been silent when the verdict came: the 2-second window of
        the US rules runs from the end of the greeting, which was that long before."""
        if cause == Cause.SHORT_GREETING_THEN_SILENCE:
            return timedelta(milliseconds=self.settings.after_greeting_silence_ms)
        if cause == Cause.SHORT_HELLO_THEN_SILENCE:
            return timedelta(milliseconds=self.settings.after_hello_silence_ms)
        return timedelta(0)


def detector_settings(thresholds: AmdThresholds) -> tuple[AmdSettings, BeepSettings]:
    """The classifier's settings from a campaign's thresholds (already validated by the
    campaign; AmdSettings/BeepSettings check their own invariants again)."""
    greeting: dict[str, object] = {}
    beep: dict[str, object] = {}
    for f in fields(thresholds):
        value = getattr(thresholds, f.name)
        limits = bounds(f.name)
        if limits is not None and limits.group is ThresholdGroup.BEEP:
            beep[f.name.removeprefix("beep_")] = value
        else:
            greeting[f.name] = value
    greeting["initial_silence_decision"] = Decision(thresholds.initial_silence_decision.value)
    return AmdSettings(**greeting), BeepSettings(**beep)  # type: ignore[arg-type]


def checked_by_agent(decision: Decision, policy: AmdPolicy) -> bool:
    """A MACHINE verdict sent to an agent only because the attempt was drawn for checking (the
    campaign itself hangs up on machines or leaves them a message): stored with the attempt, so
    the checks can be told apart from `to_agent` calls later."""
    return (
        decision is Decision.MACHINE
        and policy.check_machine
        and policy.on_machine is not MachineAction.TO_AGENT
    )


def goes_to_agent(decision: Decision, policy: AmdPolicy) -> bool:
    if decision is Decision.MACHINE:
        return policy.on_machine is MachineAction.TO_AGENT or policy.check_machine
    if decision is Decision.NOT_SURE:
        return policy.on_not_sure is NotSureAction.TO_AGENT
    return True
