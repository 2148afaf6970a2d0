"""The robot's dice: talk times (lognormal, as in the pacing benchmark) and disposition codes.

Seeded, so a benchmark's robots talk the same way run after run; each robot draws from its own
stream (seed, robot index), so adding a robot does not change what the others draw.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np

from dialer.simulation.draws import lognormal_parameters

_CODE = re.compile(r"^[a-z0-9_]{1,32}$")


class MixError(ValueError):
    pass


@dataclass(frozen=True)
class DispositionMix:
    """Codes and their weights, e.g. parsed from 'sale=1,not_interested=3,callback=1'."""

    codes: tuple[str, ...]
    weights: tuple[float, ...]

    @classmethod
    def parse(cls, text: str) -> DispositionMix:
        codes, weights = [], []
        for part in filter(None, (p.strip() for p in text.split(","))):
            code, _, weight = part.partition("=")
            code = code.strip()
            if not _CODE.match(code):
                raise MixError(f"bad disposition code {code!r}")
            try:
                value = float(weight) if weight else 1.0
            except ValueError:
                raise MixError(f"bad weight for {code}: {weight!r}") from None
            if value < 0:
                raise MixError(f"negative weight for {code}")
            codes.append(code)
            weights.append(value)
        if not codes or sum(weights) <= 0:
            raise MixError("the disposition mix needs at least one code with a weight > 0")
        if len(set(codes)) != len(codes):
            raise MixError("a code appears twice in the disposition mix")
        return cls(tuple(codes), tuple(weights))


@dataclass(frozen=True)
class TalkTime:
    mean_s: float
    cv: float

    def __post_init__(self) -> None:
        if self.mean_s <= 0 or self.cv < 0:
            raise MixError("talk time: mean > 0 and cv >= 0")


@dataclass(frozen=True)
class Draw:
    """What the robot will do with one call: talk this long, then record this code."""

    talk_s: float
    code: str


class RobotDice:
    def __init__(self, talk: TalkTime, mix: DispositionMix, seed: int, robot: int) -> None:
        self._rng = np.random.default_rng([seed, robot])
        self._talk = talk
        self._mix = mix
        self._p = np.array(mix.weights) / sum(mix.weights)

    def draw(self) -> Draw:
        if self._talk.cv == 0:
            talk = self._talk.mean_s
        else:
            mu, sigma = lognormal_parameters(self._talk.mean_s, self._talk.cv)
            talk = float(self._rng.lognormal(mu, sigma))
        code = self._mix.codes[int(self._rng.choice(len(self._p), p=self._p))]
        return Draw(talk, code)

    def without(self, draw: Draw, codes: frozenset[str]) -> Draw:
        """The draw with a code outside ``codes``: the mix's heaviest other code in place of
        one of them (an unknown inbound caller cannot be called back), no new dice thrown."""
        if draw.code not in codes:
            return draw
        others = [(w, c) for c, w in zip(self._mix.codes, self._mix.weights, strict=True)]
        allowed = [(w, c) for w, c in others if c not in codes and w > 0]
        return Draw(draw.talk_s, max(allowed)[1]) if allowed else draw
