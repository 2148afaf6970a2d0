"""Sampling MACHINE verdicts to agents: which attempts are drawn, and what the campaign allows."""

from __future__ import annotations

from dataclasses import replace

import pytest

from campaigns.amd_policy import MAX_MACHINE_SAMPLE, samples_machine_verdict
from campaigns.campaign import CampaignSpec, validate_spec
from campaigns.campaign_changes import apply_changes
from campaigns.errors import ValidationError

pytestmark = pytest.mark.unit

SPEC = CampaignSpec(name="Sampled", caller_id="+12025550100")


def test_a_share_of_zero_never_sends_a_machine_to_an_agent() -> None:
    assert not any(samples_machine_verdict(attempt_id, 0.0) for attempt_id in range(10_000))


def test_the_same_attempt_is_always_drawn_the_same_way() -> None:
    drawn = [samples_machine_verdict(attempt_id, 0.02) for attempt_id in range(2_000)]
    assert drawn == [samples_machine_verdict(attempt_id, 0.02) for attempt_id in range(2_000)]
    # an id given as text (the call flow's attempt id) draws as the number does
    assert drawn == [samples_machine_verdict(str(attempt_id), 0.02) for attempt_id in range(2_000)]


@pytest.mark.parametrize("share", [0.01, 0.02, 0.05, MAX_MACHINE_SAMPLE])
def test_consecutive_attempts_are_drawn_at_about_the_campaigns_share(share: float) -> None:
    drawn = sum(samples_machine_verdict(attempt_id, share) for attempt_id in range(1, 20_001))
    # binomial: 20 000 draws, 4 standard deviations
    spread = 4 * (20_000 * share * (1 - share)) ** 0.5
    assert abs(drawn - 20_000 * share) < spread


def test_a_larger_share_keeps_every_attempt_a_smaller_one_drew() -> None:
    # raising the share mid-campaign adds checks; it does not reshuffle which calls are checked
    small = {a for a in range(5_000) if samples_machine_verdict(a, 0.02)}
    large = {a for a in range(5_000) if samples_machine_verdict(a, 0.05)}
    assert small <= large


def test_a_campaign_samples_nothing_unless_told() -> None:
    assert SPEC.amd_machine_sample == 0.0


def test_a_campaign_may_sample_up_to_a_fifth_of_machines() -> None:
    assert validate_spec(replace(SPEC, amd_machine_sample=0.02)).amd_machine_sample == 0.02
    for share in (-0.01, 0.25, 1.0):
        with pytest.raises(ValidationError) as error:
            validate_spec(replace(SPEC, amd_machine_sample=share))
        assert any(p.startswith("amd_machine_sample:") for p in error.value.problems)


def test_the_share_is_a_campaign_setting_of_the_api_and_forms() -> None:
    assert apply_changes(SPEC, {"amd_machine_sample": "0.03"}).amd_machine_sample == 0.03
    with pytest.raises(ValidationError):
        apply_changes(SPEC, {"amd_machine_sample": "a lot"})
