"""Random draws for the simulation, generated in blocks (numpy) and handed out one at a time.

Each kind of draw has its own stream, so two policies simulated with the same seed see the same
n-th dial outcome and the same n-th talk: their differences are the policies', not the dice's.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator

import numpy as np
import numpy.typing as npt

from dialer.simulation.scenario import Scenario

_BLOCK = 4096
Floats = npt.NDArray[np.float64]


def lognormal_parameters(mean: float, cv: float) -> tuple[float, float]:
    sigma = math.sqrt(math.log1p(cv * cv))
    return math.log(mean) - sigma * sigma / 2.0, sigma


def _stream(
    make: Callable[[np.random.Generator], Floats], rng: np.random.Generator
) -> Iterator[float]:
    while True:
        yield from make(rng).tolist()


class Draws:
    def __init__(self, scenario: Scenario, seed: int) -> None:
        self.scenario = scenario
        streams = np.random.SeedSequence(seed).spawn(6)
        gens = [np.random.default_rng(s) for s in streams]
        talk_mu, talk_sigma = lognormal_parameters(scenario.talk_mean, scenario.talk_cv)
        wrap_mu, wrap_sigma = lognormal_parameters(scenario.wrap_mean, scenario.wrap_cv)
        fail_mu, fail_sigma = lognormal_parameters(
            scenario.fast_failure_mean, scenario.fast_failure_cv
        )
        self.uniform = _stream(lambda g: g.random(_BLOCK), gens[0])
        self.ring = _stream(self._ring_block, gens[1])
        self.talk = _stream(lambda g: g.lognormal(talk_mu, talk_sigma, _BLOCK), gens[2])
        self.wrap = _stream(lambda g: g.lognormal(wrap_mu, wrap_sigma, _BLOCK), gens[3])
        self.failure = _stream(lambda g: g.lognormal(fail_mu, fail_sigma, _BLOCK), gens[4])
        self.amd = _stream(lambda g: g.random(_BLOCK), gens[5])

    def _ring_block(self, rng: np.random.Generator) -> Floats:
        weights = np.array([w for w, _, _ in self.scenario.ring_components])
        means = np.array([m for _, m, _ in self.scenario.ring_components])
        sds = np.array([s for _, _, s in self.scenario.ring_components])
        component = rng.choice(len(weights), size=2 * _BLOCK, p=weights / weights.sum())
        values = rng.normal(means[component], sds[component])
        kept: Floats = values[
            (values >= self.scenario.ring_min) & (values <= self.scenario.ring_timeout)
        ]
        return kept
