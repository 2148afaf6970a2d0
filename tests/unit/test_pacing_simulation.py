"""The benchmark's simulation, driven by the same decide() that runs live (short runs, untimed)."""

from __future__ import annotations

import pytest

from dialer.bench.pacing import policy_for, run_pacing_bench
from dialer.pacing import Alarm, PolicyKind
from dialer.simulation import Scenario, Stress, simulate_day

ONE_HOUR = Scenario(agents=10, answer_rate=0.3, hours=1.0)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_predictive_stays_under_the_cap_on_every_simulated_day(seed: int) -> None:
    day = simulate_day(ONE_HOUR, policy_for(PolicyKind.PREDICTIVE, ONE_HOUR, 1.0), seed)
    assert day.live_answers > 0
    assert day.abandon_rate <= 0.03


def test_predictive_keeps_agents_busier_than_progressive() -> None:
    progressive = simulate_day(ONE_HOUR, policy_for(PolicyKind.PROGRESSIVE, ONE_HOUR, 1.0), 0)
    predictive = simulate_day(ONE_HOUR, policy_for(PolicyKind.PREDICTIVE, ONE_HOUR, 1.0), 0)
    assert predictive.occupancy > progressive.occupancy


def test_progressive_abandons_no_one_without_amd() -> None:
    day = simulate_day(ONE_HOUR, policy_for(PolicyKind.PROGRESSIVE, ONE_HOUR, 1.0), 3)
    assert day.abandoned == 0


def test_the_same_seed_gives_the_same_day() -> None:
    policy = policy_for(PolicyKind.PREDICTIVE, ONE_HOUR, 1.0)
    assert simulate_day(ONE_HOUR, policy, 5) == simulate_day(ONE_HOUR, policy, 5)


def test_amd_false_positives_above_the_cap_raise_an_alarm_and_pacing_stays_progressive() -> None:
    scenario = Scenario(agents=10, answer_rate=0.3, hours=0.5).with_stress(Stress.AMD_FP_5)
    day = simulate_day(scenario, policy_for(PolicyKind.PREDICTIVE, scenario, 1.0), 0)
    assert Alarm.AMD_FALSE_POSITIVES_ABOVE_CAP in day.alarms
    assert set(day.decisions_by_reason) <= {"cap_unreachable", "no_lines"}


def test_the_answer_drop_stress_halves_the_answer_rate_at_hour_four() -> None:
    scenario = Scenario(agents=10, answer_rate=0.3).with_stress(Stress.ANSWER_DROP)
    assert (scenario.answer_rate_at(3 * 3600.0), scenario.answer_rate_at(5 * 3600.0)) == (0.3, 0.15)


def test_lines_and_calls_per_second_limits_hold_in_simulation() -> None:
    scenario = Scenario(agents=10, answer_rate=0.1, hours=0.5, lines=12, calls_per_second=1)
    day = simulate_day(scenario, policy_for(PolicyKind.PREDICTIVE, scenario, 1.0), 0)
    assert day.peak_lines <= 12
    assert day.dials <= scenario.shift_seconds


def test_the_bench_reports_each_policy_figures_as_json_ready_values() -> None:
    result = run_pacing_bench(10, 0.3, hours=0.25, seeds=1, policies=["progressive"])
    figures = result["policies"]["progressive"]
    for key in (
        "occupancy",
        "abandon_rate_mean",
        "abandon_rate_day_max",
        "abandon_rate_worst_hour",
        "talk_minutes_per_agent_hour",
        "peak_lines_per_agent",
        "dials_per_second",
        "seeds",
    ):
        assert key in figures


def test_the_simulator_sets_the_models_expected_abandons_against_what_happened() -> None:
    day = simulate_day(ONE_HOUR, policy_for(PolicyKind.PREDICTIVE, ONE_HOUR, 1.0), 0)
    check = day.model_check
    assert 0 < check.live_answers <= day.live_answers
    assert check.abandoned <= day.abandoned
    assert 0.0 < check.abandons_expected < check.live_answers
    progressive = simulate_day(ONE_HOUR, policy_for(PolicyKind.PROGRESSIVE, ONE_HOUR, 1.0), 0)
    assert progressive.model_check.live_answers == 0
