from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

from campaigns.attempt import Outcome, RetryableOutcome
from campaigns.campaign import CampaignSpec, RetryRule
from campaigns.retry import ContactHistory, ContactState, decide_after_attempt
from campaigns.rules import RuleSetName

NOW = datetime(2026, 11, 26, 15, 0, tzinfo=UTC)
SPEC = CampaignSpec(name="Demo", caller_id="+12025550100")


def test_a_busy_number_is_retried_after_the_policys_delay() -> None:
    decision = decide_after_attempt(Outcome.BUSY, ContactHistory(1, 1), SPEC, NOW)
    assert decision.state is ContactState.DIALABLE
    assert decision.next_eligible_at == NOW + timedelta(minutes=15)
    assert decision.counts_as_attempt


def test_a_contact_is_exhausted_when_its_outcome_has_used_all_its_retries() -> None:
    decision = decide_after_attempt(Outcome.BUSY, ContactHistory(3, 3), SPEC, NOW)
    assert decision.state is ContactState.EXHAUSTED
    assert decision.block_reason is not None and "busy" in decision.block_reason


def test_the_campaigns_attempt_cap_wins_over_the_outcome_rule() -> None:
    spec = replace(SPEC, max_attempts=2)
    decision = decide_after_attempt(Outcome.NO_ANSWER, ContactHistory(2, 1), spec, NOW)
    assert decision.state is ContactState.EXHAUSTED


def test_an_expired_attempt_puts_the_contact_back_without_using_an_attempt() -> None:
    decision = decide_after_attempt(Outcome.EXPIRED, ContactHistory(0, 0), SPEC, NOW)
    assert decision.state is ContactState.DIALABLE
    assert not decision.counts_as_attempt


def test_an_invalid_number_is_never_dialed_again() -> None:
    decision = decide_after_attempt(Outcome.INVALID_NUMBER, ContactHistory(1, 1), SPEC, NOW)
    assert decision.state is ContactState.EXHAUSTED


def test_uk_rules_wait_at_least_72_hours_after_an_abandoned_call() -> None:
    spec = replace(
        SPEC,
        rule_set=RuleSetName.UK,
        retry_policy={RetryableOutcome.ABANDONED: RetryRule(delay_s=3600, max_attempts=3)},
    )
    decision = decide_after_attempt(Outcome.ABANDONED, ContactHistory(1, 1), spec, NOW)
    assert decision.next_eligible_at == NOW + timedelta(hours=72)


def test_a_lost_worker_retries_like_a_failure() -> None:
    decision = decide_after_attempt(Outcome.WORKER_LOST, ContactHistory(1, 1), SPEC, NOW)
    assert decision.next_eligible_at == NOW + timedelta(minutes=30)
