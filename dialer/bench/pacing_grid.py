"""`dialer bench pacing-grid`: the benchmark's full grid and stresses, written to bench/results/.

Writes `pacing_grid.json` after every cell (a rerun skips cells already there, so an
interrupted run resumes), then `pacing.md` (a table against the reference) and
`pacing_grid.png` (occupancy against abandonment per policy).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import click

from dialer.bench.pacing import ABANDON_CAP, run_policy, scenario_json
from dialer.bench.pacing_report import write_plot, write_table
from dialer.pacing import PolicyKind
from dialer.simulation import Scenario, Stress

AGENTS = (10, 50, 200)
ANSWER_RATES = (0.1, 0.3, 0.6)
STRESS_CELL = (50, 0.3)
# ratio search: bisection steps on few seeds, then the winner on all of them
RATIO_STEPS = 5
RATIO_SEARCH_SEEDS = 2


def best_fixed_ratio(scenario: Scenario, seeds: list[int]) -> dict[str, Any]:
    """The highest fixed ratio whose every simulated day stays within the cap (after the fact)."""
    search = seeds[:RATIO_SEARCH_SEEDS]
    good, bad = 1.0, 1.0 + 1.0 / scenario.answer_rate
    for _ in range(RATIO_STEPS):
        middle = round((good + bad) / 2.0, 3)
        trial = run_policy(scenario, PolicyKind.FIXED_RATIO, search, middle)
        if trial["every_day_within_cap"]:
            good = middle
        else:
            bad = middle
    result = run_policy(scenario, PolicyKind.FIXED_RATIO, seeds, good)
    while not result["every_day_within_cap"] and good > 1.0:
        good = max(1.0, round(good - (bad - good), 3))
        result = run_policy(scenario, PolicyKind.FIXED_RATIO, seeds, good)
    return result


def run_cell(scenario: Scenario, stress: Stress | None, seeds: list[int]) -> dict[str, Any]:
    return {
        "scenario": scenario_json(scenario, stress),
        "policies": {
            str(PolicyKind.PROGRESSIVE): run_policy(scenario, PolicyKind.PROGRESSIVE, seeds),
            str(PolicyKind.FIXED_RATIO): best_fixed_ratio(scenario, seeds),
            str(PolicyKind.PREDICTIVE): run_policy(scenario, PolicyKind.PREDICTIVE, seeds),
        },
    }


def cells() -> list[tuple[str, int, float, Stress | None]]:
    grid = [(f"N={n} p={p}", n, p, None) for n in AGENTS for p in ANSWER_RATES]
    n, p = STRESS_CELL
    return grid + [(f"N={n} p={p} {s}", n, p, s) for s in Stress]


@click.command("pacing-grid")
@click.option("--seeds", type=click.IntRange(min=1), default=4)
@click.option("--hours", type=float, default=8.0)
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), default="bench/results")
@click.option("--only", multiple=True, help="cell names to (re)run, e.g. 'N=10 p=0.1'")
def pacing_grid_command(seeds: int, hours: float, out: Path, only: tuple[str, ...]) -> None:
    """Run the grid and the stresses; write JSON, a markdown table and a plot."""
    out.mkdir(parents=True, exist_ok=True)
    path = out / "pacing_grid.json"
    results: dict[str, Any] = json.loads(path.read_text()) if path.exists() else {}
    for name, agents, rate, stress in cells():
        if (only and name not in only) or (not only and name in results):
            continue
        scenario = Scenario(agents=agents, answer_rate=rate, hours=hours).with_stress(stress)
        results[name] = run_cell(scenario, stress, list(range(seeds)))
        path.write_text(json.dumps(results, indent=1, sort_keys=True) + "\n")
        predictive = results[name]["policies"][str(PolicyKind.PREDICTIVE)]
        click.echo(
            f"{name}: predictive {predictive['occupancy']:.1%} at "
            f"{predictive['abandon_rate_mean']:.2%} "
            f"(day max {predictive['abandon_rate_day_max']:.2%}, cap {ABANDON_CAP:.0%})"
        )
    write_reports(results, out)


def write_reports(results: dict[str, Any], out: Path) -> None:
    """The table and the plot, cells in the benchmark's order."""
    order = [name for name, *_ in cells() if name in results]
    ordered = {name: results[name] for name in order + sorted(set(results) - set(order))}
    write_table(ordered, out / "pacing.md")
    write_plot(ordered, out / "pacing_grid.png")
