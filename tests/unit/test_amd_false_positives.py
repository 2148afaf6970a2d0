"""AMD's false-positive estimate from dispositions; pacing counts the people it hangs up on."""

from __future__ import annotations

from dataclasses import replace

from hypothesis import given, settings
from hypothesis import strategies as st

from campaigns.amd_false_positives import (
    MIN_CHECKED,
    PRIOR_ESTIMATE,
    PRIOR_PERSON_GIVEN_MACHINE,
    AmdChecks,
    estimate_false_positives,
)
from dialer.pacing import AbandonmentCounts, Alarm, DecisionReason, PacingPolicy, decide
from dialer.pacing.controller import measured_rate
from tests.unit.pacing_fixtures import inputs

PREDICTIVE = PacingPolicy()


def test_without_checked_calls_the_estimate_is_the_benchs_prior() -> None:
    assert estimate_false_positives(AmdChecks()) == PRIOR_ESTIMATE
    assert PRIOR_ESTIMATE.mostly_prior


def test_many_checked_calls_outweigh_the_prior() -> None:
    estimate = estimate_false_positives(AmdChecks(machine_checked=1000, machine_was_person=50))
    assert abs(estimate.person_given_machine - 0.05) < 0.002
    assert not estimate.mostly_prior


def test_a_few_checked_calls_move_the_estimate_only_a_little() -> None:
    # 1 person in 3 checked verdicts is not a 33 % false-positive rate
    estimate = estimate_false_positives(AmdChecks(machine_checked=3, machine_was_person=1))
    assert PRIOR_PERSON_GIVEN_MACHINE < estimate.person_given_machine < 0.05
    assert estimate.machine_checked == 3 < MIN_CHECKED


def test_human_verdicts_dispositioned_as_machines_give_the_other_mistake() -> None:
    estimate = estimate_false_positives(AmdChecks(human_checked=400, human_was_machine=40))
    assert abs(estimate.machine_given_human - 0.1) < 0.005


counts = st.integers(0, 5000)


@settings(max_examples=200, deadline=None)
@given(counts, counts)
def test_the_estimate_lies_between_the_prior_and_the_measured_share(
    checked: int, hits: int
) -> None:
    hits = min(hits, checked)
    rate = estimate_false_positives(AmdChecks(checked, hits)).person_given_machine
    measured = hits / checked if checked else PRIOR_PERSON_GIVEN_MACHINE
    low, high = sorted((measured, PRIOR_PERSON_GIVEN_MACHINE))
    assert low - 1e-12 <= rate <= high + 1e-12


def _with_amd(counts: AbandonmentCounts, hangups: int, share: float) -> AbandonmentCounts:
    return replace(
        counts,
        amd_machine_hangups_today=hangups,
        amd_machine_hangups_30_days=hangups,
        amd_person_given_machine=share,
    )


def test_people_hung_up_as_machines_count_as_abandoned_live_answers() -> None:
    counts = _with_amd(AbandonmentCounts(10, 1000, 10, 1000), hangups=500, share=0.02)
    rate, live = measured_rate(counts, PREDICTIVE)
    assert live == 1010  # the 10 estimated people were live answers too
    assert abs(rate - 20 / 1010) < 1e-9


def test_pacing_brakes_when_the_estimated_people_bring_the_window_to_the_cap() -> None:
    # 1.5 % measured; 1000 machine hang-ups x 1.6 % people = 16 more abandons: 3.1 %
    measured = AbandonmentCounts(15, 1000, 15, 1000)
    state = inputs(ready=2, on_call=(900.0,) * 20, abandonment=measured)
    assert decide(state, PREDICTIVE).reason is DecisionReason.PREDICTIVE
    with_amd = replace(state, abandonment=_with_amd(measured, hangups=1000, share=0.016))
    decision = decide(with_amd, PREDICTIVE)
    assert decision.reason is DecisionReason.NEAR_CAP
    assert decision.calls == 2


def test_an_estimated_share_of_people_above_the_cap_alarms_and_stays_progressive() -> None:
    # 2000 machine hang-ups x 5 % = 100 people of 1100: 9 %, above the 3 % cap
    counts = _with_amd(AbandonmentCounts(0, 1000, 0, 1000), hangups=2000, share=0.05)
    decision = decide(inputs(ready=4, on_call=(600.0,) * 20, abandonment=counts), PREDICTIVE)
    assert Alarm.AMD_FALSE_POSITIVES_ABOVE_CAP in decision.alarms
    assert decision.reason is DecisionReason.CAP_UNREACHABLE


def test_a_new_campaigns_first_hang_ups_do_not_make_the_cap_unreachable() -> None:
    counts = _with_amd(AbandonmentCounts(0, 5, 0, 5), hangups=20, share=0.05)
    decision = decide(inputs(ready=4, on_call=(600.0,) * 20, abandonment=counts), PREDICTIVE)
    assert Alarm.AMD_FALSE_POSITIVES_ABOVE_CAP not in decision.alarms


@settings(max_examples=100, deadline=None)
@given(
    st.integers(0, 3000),
    st.integers(0, 3000),
    st.floats(0.0, 0.1),
    st.floats(0.0, 0.1),
)
def test_more_estimated_false_positives_never_place_more_calls(
    hangups: int, more_hangups: int, share: float, more_share: float
) -> None:
    base = AbandonmentCounts(12, 1000, 12, 1000)
    state = inputs(ready=3, on_call=tuple(float(s) for s in range(0, 600, 20)), abandonment=base)
    fewer = decide(replace(state, abandonment=_with_amd(base, hangups, share)), PREDICTIVE)
    worse = _with_amd(base, hangups + more_hangups, share + more_share)
    more = decide(replace(state, abandonment=worse), PREDICTIVE)
    assert more.calls <= fewer.calls
