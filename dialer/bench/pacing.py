"""`dialer bench pacing`: the pacing simulation of PACING_BENCHMARK.md for any N, p and stress."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Sequence
from statistics import fmean
from typing import Any

import click

from dialer.pacing import PacingPolicy, PolicyKind
from dialer.pacing.calibration import ModelCheck
from dialer.simulation import DayResult, Scenario, Stress, simulate_day

DEFAULT_SEEDS = 4
DEFAULT_FIXED_RATIO = 2.0
ABANDON_CAP = 0.03


def policy_for(kind: PolicyKind, scenario: Scenario, ratio: float) -> PacingPolicy:
    """The campaign's policy as the scenario's rules and AMD figures would configure it."""
    return PacingPolicy(
        kind=kind,
        ratio=ratio,
        max_wait_seconds=scenario.max_wait,
        amd_false_positive_rate=scenario.amd_false_positive,
    )


def summarise(days: Sequence[DayResult], seeds: Sequence[int]) -> dict[str, Any]:
    reasons: Counter[str] = Counter()
    for day in days:
        reasons.update({str(k): v for k, v in day.decisions_by_reason.items()})
    return {
        "occupancy": fmean(d.occupancy for d in days),
        "abandon_rate_mean": fmean(d.abandon_rate for d in days),
        "abandon_rate_day_max": max(d.abandon_rate for d in days),
        "abandon_rate_worst_hour": max(d.worst_hour_abandon_rate for d in days),
        "talk_minutes_per_agent_hour": fmean(d.talk_minutes_per_agent_hour for d in days),
        "peak_lines_per_agent": max(d.peak_lines_per_agent for d in days),
        "dials_per_second": fmean(d.dials_per_second for d in days),
        "seeds": len(days),
        "every_day_within_cap": all(d.abandon_rate <= ABANDON_CAP for d in days),
        "alarms": sorted({str(a) for d in days for a in d.alarms}),
        "decisions_by_reason": dict(sorted(reasons.items())),
        # the predictive decisions' answered calls: abandoned vs the sum of the model's risks
        "model_check": sum((d.model_check for d in days), ModelCheck()).as_json(),
        "per_seed": [
            {
                "seed": seed,
                "occupancy": d.occupancy,
                "abandon_rate": d.abandon_rate,
                "abandon_rate_worst_hour": d.worst_hour_abandon_rate,
                "live_answers": d.live_answers,
                "abandoned": d.abandoned,
                "dials": d.dials,
                "alarms": [str(a) for a in d.alarms],
            }
            for seed, d in zip(seeds, days, strict=True)
        ],
    }


def run_policy(
    scenario: Scenario, kind: PolicyKind, seeds: Sequence[int], ratio: float = DEFAULT_FIXED_RATIO
) -> dict[str, Any]:
    policy = policy_for(kind, scenario, ratio)
    result = summarise([simulate_day(scenario, policy, seed) for seed in seeds], seeds)
    if kind is PolicyKind.FIXED_RATIO:
        result["ratio"] = ratio
    return result


def run_pacing_bench(
    agents: int,
    answer_rate: float,
    *,
    hours: float = 8.0,
    seeds: int = DEFAULT_SEEDS,
    stress: Stress | str | None = None,
    policies: Sequence[PolicyKind | str] = tuple(PolicyKind),
    talk_mean: float = 180.0,
    wrap_mean: float = 20.0,
    ratio: float = DEFAULT_FIXED_RATIO,
    lines: int | None = None,
    calls_per_second: int | None = None,
) -> dict[str, Any]:
    """Simulate `seeds` days per policy; JSON-ready figures per policy (see `summarise`)."""
    chosen = None if stress is None else Stress(stress)
    scenario = Scenario(
        agents=agents,
        answer_rate=answer_rate,
        hours=hours,
        talk_mean=talk_mean,
        wrap_mean=wrap_mean,
        lines=lines,
        calls_per_second=calls_per_second,
    ).with_stress(chosen)
    seed_list = list(range(seeds))
    return {
        "scenario": scenario_json(scenario, chosen),
        "policies": {
            str(PolicyKind(kind)): run_policy(scenario, PolicyKind(kind), seed_list, ratio)
            for kind in policies
        },
    }


def scenario_json(scenario: Scenario, stress: Stress | None) -> dict[str, Any]:
    return {
        "agents": scenario.agents,
        "answer_rate": scenario.answer_rate,
        "answer_rate_after": scenario.answer_rate_after,
        "hours": scenario.hours,
        "talk_mean": scenario.talk_mean,
        "wrap_mean": scenario.wrap_mean,
        "max_wait": scenario.max_wait,
        "amd_false_positive": scenario.amd_false_positive,
        "lines": scenario.lines,
        "calls_per_second": scenario.calls_per_second,
        "stress": None if stress is None else str(stress),
    }


def _text(result: dict[str, Any]) -> str:
    lines = [json.dumps(result["scenario"])]
    for name, figures in result["policies"].items():
        lines.append(
            f"{name:12} occupancy {figures['occupancy']:6.1%}  abandoned mean "
            f"{figures['abandon_rate_mean']:5.2%} day max {figures['abandon_rate_day_max']:5.2%} "
            f"worst hour {figures['abandon_rate_worst_hour']:5.2%}  "
            f"dials/s {figures['dials_per_second']:.2f}  alarms {figures['alarms']}"
        )
    return "\n".join(lines)


@click.command("pacing")
@click.option("--agents", type=click.IntRange(min=1), required=True)
@click.option("--answer-rate", type=click.FloatRange(0.0, 1.0, min_open=True), required=True)
@click.option("--hours", type=click.FloatRange(min=0.0, min_open=True), default=8.0)
@click.option("--seeds", type=click.IntRange(min=1), default=DEFAULT_SEEDS)
@click.option("--stress", type=click.Choice([str(s) for s in Stress]), default=None)
@click.option(
    "--policy",
    "policies",
    type=click.Choice([str(k) for k in PolicyKind]),
    multiple=True,
    help="repeatable; all policies when left out",
)
@click.option("--ratio", type=click.FloatRange(min=1.0), default=DEFAULT_FIXED_RATIO)
@click.option("--talk-mean", type=click.FloatRange(min=0.0, min_open=True), default=180.0)
@click.option("--wrap-mean", type=click.FloatRange(min=0.0, min_open=True), default=20.0)
@click.option("--lines", type=click.IntRange(min=1), default=None)
@click.option("--cps", type=click.IntRange(min=1), default=None, help="calls per second limit")
@click.option("--json", "as_json", is_flag=True, help="print JSON")
def pacing_command(
    *,
    agents: int,
    answer_rate: float,
    hours: float,
    seeds: int,
    stress: str | None,
    policies: tuple[str, ...],
    ratio: float,
    talk_mean: float,
    wrap_mean: float,
    lines: int | None,
    cps: int | None,
    as_json: bool,
) -> None:
    """Simulate shifts of the pacing benchmark and print each policy's figures."""
    result = run_pacing_bench(
        agents,
        answer_rate,
        hours=hours,
        seeds=seeds,
        stress=stress,
        policies=policies or tuple(PolicyKind),
        talk_mean=talk_mean,
        wrap_mean=wrap_mean,
        ratio=ratio,
        lines=lines,
        calls_per_second=cps,
    )
    click.echo(json.dumps(result, indent=2) if as_json else _text(result))
