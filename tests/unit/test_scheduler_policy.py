"""The pacing policy the scheduler builds from a campaign's settings and rule set."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from campaigns.campaign import Campaign, CampaignSpec, CampaignState, DialMode, validate_spec
from dialer.pacing import PolicyKind
from dialer.scheduler.pacer import policy_for

pytestmark = pytest.mark.unit

T0 = datetime(2026, 11, 27, 15, tzinfo=UTC)


def campaign(dial_mode: DialMode) -> Campaign:
    spec = validate_spec(CampaignSpec(name="Paced", caller_id="+12025550100", dial_mode=dial_mode))
    return Campaign(1, CampaignState.RUNNING, spec, 1, T0, T0)


def test_pacing_counts_only_agents_freeing_while_a_worker_can_still_claim_them() -> None:
    policy = policy_for(campaign(DialMode.PREDICTIVE))
    assert policy is not None and policy.kind is PolicyKind.PREDICTIVE
    # the rules' 2 s less the abandonment message's margin and the agent phone's allowance
    assert policy.max_wait_seconds == pytest.approx(1.4)
    assert policy.max_wait_seconds < campaign(DialMode.PREDICTIVE).spec.rules.max_agent_wait_s


def test_a_preview_campaign_has_no_pacing_policy() -> None:
    assert policy_for(campaign(DialMode.PREVIEW)) is None
