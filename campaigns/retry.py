"""What an attempt's outcome does to its contact: retry later, close, or release untouched.

A pure function of the outcome, the contact's history and the campaign's policy; the storage layer
applies the decision in the same transaction that closes the attempt.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from campaigns.attempt import NOT_DIALED_OUTCOMES, Outcome, RetryableOutcome
from campaigns.campaign import CampaignSpec


class ContactState(StrEnum):
    DIALABLE = "dialable"
    IN_FLIGHT = "in_flight"
    CALLBACK = "callback"
    DONE = "done"
    EXHAUSTED = "exhausted"
    DNC = "dnc"


@dataclass(frozen=True)
class ContactHistory:
    """Attempts that count against the caps, this one included."""

    attempts: int
    attempts_with_this_outcome: int


@dataclass(frozen=True)
class ContactDecision:
    state: ContactState
    next_eligible_at: datetime | None
    block_reason: str | None
    # Whether this attempt uses up one of the contact's attempts.
    counts_as_attempt: bool


# Outcomes our retry policy names; the others map onto one of them.
_POLICY_KEY: dict[Outcome, RetryableOutcome] = {
    Outcome.BUSY: RetryableOutcome.BUSY,
    Outcome.NO_ANSWER: RetryableOutcome.NO_ANSWER,
    Outcome.MACHINE: RetryableOutcome.MACHINE,
    Outcome.ABANDONED: RetryableOutcome.ABANDONED,
    Outcome.REJECTED: RetryableOutcome.REJECTED,
    Outcome.FAILED: RetryableOutcome.FAILED,
    # A worker that died mid-call tells us nothing about the number: retry as a failure.
    Outcome.WORKER_LOST: RetryableOutcome.FAILED,
}


def decide_after_attempt(
    outcome: Outcome, history: ContactHistory, campaign: CampaignSpec, now: datetime
) -> ContactDecision:
    if outcome in NOT_DIALED_OUTCOMES or outcome is Outcome.CANCELLED:
        # Never dialed, or stopped by us before a fair ring: back in line, nothing used up.
        return ContactDecision(ContactState.DIALABLE, now, None, counts_as_attempt=False)
    if outcome in (Outcome.CONNECTED, Outcome.ANSWERED):
        # The agent's disposition may reopen it (retry, callback) or block it (do not call).
        return ContactDecision(ContactState.DONE, None, f"{outcome.value}", counts_as_attempt=True)
    if outcome is Outcome.INVALID_NUMBER:
        return ContactDecision(
            ContactState.EXHAUSTED,
            None,
            "invalid number (the carrier says it does not exist)",
            True,
        )
    key = _POLICY_KEY[outcome]
    rule = campaign.retry_policy.get(key)
    if history.attempts >= campaign.max_attempts:
        return ContactDecision(
            ContactState.EXHAUSTED,
            None,
            f"exhausted: {history.attempts} of {campaign.max_attempts} attempts, "
            f"last {outcome.value}",
            True,
        )
    if rule is None or history.attempts_with_this_outcome >= rule.max_attempts:
        most = 0 if rule is None else rule.max_attempts
        return ContactDecision(
            ContactState.EXHAUSTED,
            None,
            f"exhausted: {history.attempts_with_this_outcome} {outcome.value} of {most} allowed",
            True,
        )
    delay = timedelta(seconds=rule.delay_s)
    no_repeat_h = campaign.rules.no_repeat_after_abandon_h
    if outcome is Outcome.ABANDONED and no_repeat_h is not None:
        delay = max(delay, timedelta(hours=no_repeat_h))
    return ContactDecision(ContactState.DIALABLE, now + delay, None, counts_as_attempt=True)
