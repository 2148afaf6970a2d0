"""What the generated AMD corpus contains: a pure, seeded plan of items, rendered elsewhere.

Each item is a sequence of parts (speech, silence, tone) with a level and optional background
noise. Two profiles use disjoint voices and different seeds, so thresholds tuned on one can be
checked on the other without fooling ourselves.
"""

from __future__ import annotations

import hashlib
import json
import random
from dataclasses import asdict, dataclass
from enum import StrEnum

from dialer.amd import corpus_texts as texts

SIT_TONES = ((913.8, 380), (1370.6, 274), (1776.7, 380))


class Label(StrEnum):
    HUMAN = "human"
    MACHINE = "machine"
    ANNOUNCEMENT = "announcement"
    SILENCE = "silence"
    NOISE = "noise"


class NoiseKind(StrEnum):
    WHITE = "whitenoise"
    PINK = "pinknoise"
    BROWN = "brownnoise"


@dataclass(frozen=True)
class Speech:
    text: str
    voice: str
    speed_wpm: int
    pitch: int


@dataclass(frozen=True)
class Silence:
    ms: int


@dataclass(frozen=True)
class Tone:
    hz: float
    ms: int
    is_beep: bool = True


Part = Speech | Silence | Tone


@dataclass(frozen=True)
class Noise:
    kind: NoiseKind
    # Peak level of the noise, dB relative to the item's peak (or to full scale when alone).
    relative_db: float
    # sox's repeatable noise is the same every time: each item starts reading it somewhere else.
    offset_ms: int = 0


@dataclass(frozen=True)
class ItemPlan:
    item_id: str
    label: Label
    category: str
    parts: tuple[Part, ...]
    peak_dbfs: float
    noise: Noise | None


@dataclass(frozen=True)
class Profile:
    name: str
    seed: int
    voices: tuple[str, ...]
    variants: tuple[str, ...]
    speed_wpm: tuple[int, int]
    counts: dict[Label, int]


def _counts(
    human: int, machine: int, announcement: int, silence: int, noise: int
) -> dict[Label, int]:
    return {
        Label.HUMAN: human,
        Label.MACHINE: machine,
        Label.ANNOUNCEMENT: announcement,
        Label.SILENCE: silence,
        Label.NOISE: noise,
    }


TUNING = Profile(
    name="tuning",
    seed=1,
    voices=("en-us", "en-gb"),
    variants=("m1", "m3", "m7", "f2", "f3"),
    speed_wpm=(140, 190),
    counts=_counts(human=120, machine=110, announcement=20, silence=10, noise=20),
)
HELD_OUT = Profile(
    name="held-out",
    seed=2,
    voices=("en-gb-scotland", "en-029", "en-us-nyc", "en-gb-x-rp", "en-gb-x-gbclan"),
    variants=("m2", "m4", "m6", "f1", "f4", "f5"),
    speed_wpm=(130, 200),
    counts=_counts(human=120, machine=110, announcement=20, silence=10, noise=20),
)
# Made after the first held-out run showed the tuned greeting length was overfitted (see
# docs/amd.md): a second evaluation set, untouched by any tuning decision, with the remaining
# accent, named voice variants and a wider range of speaking rates.
FRESH = Profile(
    name="fresh",
    seed=3,
    voices=("en-gb-x-gbcwmd", "en-us", "en-029", "en-gb"),
    variants=("Andy", "Annie", "david", "klatt", "linda", "m8", "f5"),
    speed_wpm=(120, 210),
    counts=_counts(human=120, machine=110, announcement=20, silence=10, noise=20),
)
PROFILES = {profile.name: profile for profile in (TUNING, HELD_OUT, FRESH)}


def scaled(profile: Profile, scale: float) -> Profile:
    """The same profile with fewer (or more) items of each label, at least one each."""
    counts = {label: max(1, round(n * scale)) for label, n in profile.counts.items()}
    return Profile(
        profile.name, profile.seed, profile.voices, profile.variants, profile.speed_wpm, counts
    )


def plan_corpus(profile: Profile) -> tuple[ItemPlan, ...]:
    rng = random.Random(profile.seed)
    planners = {
        Label.HUMAN: _human,
        Label.MACHINE: _machine,
        Label.ANNOUNCEMENT: _announcement,
        Label.SILENCE: _silence,
        Label.NOISE: _noise,
    }
    items = []
    for label, count in profile.counts.items():
        for index in range(count):
            category, parts, peak, noise = planners[label](rng, profile)
            items.append(ItemPlan(f"{label}-{index:03d}", label, category, parts, peak, noise))
    return tuple(items)


def plan_digest(items: tuple[ItemPlan, ...]) -> str:
    """Changes whenever the plan does, so a cached corpus is regenerated only when it must be."""
    payload = json.dumps([asdict(item) for item in items], sort_keys=True, default=str)
    return hashlib.sha256(payload.encode()).hexdigest()[:16]


Planned = tuple[str, tuple[Part, ...], float, Noise | None]


def _speaker(rng: random.Random, profile: Profile) -> tuple[str, int, int]:
    voice = f"{rng.choice(profile.voices)}+{rng.choice(profile.variants)}"
    return voice, rng.randint(*profile.speed_wpm), rng.randint(25, 75)


def _say(rng: random.Random, profile: Profile, text: str) -> Speech:
    voice, speed, pitch = _speaker(rng, profile)
    return Speech(text, voice, speed, pitch)


def _maybe_noise(rng: random.Random, chance: float, snr_db: tuple[float, float]) -> Noise | None:
    if rng.random() >= chance:
        return None
    return Noise(rng.choice(list(NoiseKind)), -rng.uniform(*snr_db), rng.randint(0, 5000))


def _human(rng: random.Random, profile: Profile) -> Planned:
    category, line = texts.human_line(rng)
    voice, speed, pitch = _speaker(rng, profile)
    parts: list[Part] = [Silence(rng.randint(150, 1200)), Speech(line, voice, speed, pitch)]
    # Nobody answers, so the person asks again after a while, then waits.
    parts += [Silence(rng.randint(1300, 3000)), Speech(texts.again(rng), voice, speed, pitch)]
    parts.append(Silence(3000))
    noise = _maybe_noise(rng, 0.35, (12.0, 30.0))
    peak = rng.uniform(-32.0, -3.0) if rng.random() < 0.15 else rng.uniform(-15.0, -3.0)
    return ("noisy-" + category if noise else category), tuple(parts), peak, noise


def _machine(rng: random.Random, profile: Profile) -> Planned:
    category, lines = texts.machine_greeting(rng)
    voice, speed, pitch = _speaker(rng, profile)
    parts: list[Part] = [Silence(rng.randint(100, 1500))]
    for index, line in enumerate(lines):
        if index:
            parts.append(Silence(rng.randint(150, 450)))
        parts.append(Speech(line, voice, speed, pitch))
    if rng.random() < 0.7:
        parts += [Silence(rng.randint(150, 1000)), Tone(_beep_hz(rng), rng.randint(100, 1000))]
        category += "+beep"
    parts.append(Silence(rng.randint(2500, 4000)))
    return category, tuple(parts), rng.uniform(-18.0, -3.0), _maybe_noise(rng, 0.2, (20.0, 40.0))


def _beep_hz(rng: random.Random) -> float:
    return float(rng.choice([440, 500, 800, 850, 1000, 1004, 1400, 2000, 2100, 2400]))


def _announcement(rng: random.Random, profile: Profile) -> Planned:
    parts: list[Part] = [Silence(rng.randint(100, 800))]
    category = "announcement"
    if rng.random() < 0.7:
        parts += [Tone(hz, ms, is_beep=False) for hz, ms in SIT_TONES]
        parts.append(Silence(rng.randint(50, 300)))
        category = "sit+announcement"
    parts += [_say(rng, profile, texts.announcement(rng)), Silence(2000)]
    return category, tuple(parts), rng.uniform(-15.0, -3.0), None


def _silence(rng: random.Random, profile: Profile) -> Planned:
    hiss = Noise(NoiseKind.WHITE, -rng.uniform(65.0, 75.0), rng.randint(0, 5000))
    quiet_line = hiss if rng.random() < 0.5 else None
    return ("line-hiss" if quiet_line else "digital"), (Silence(7000),), 0.0, quiet_line


def _noise(rng: random.Random, profile: Profile) -> Planned:
    kind = rng.choice(list(NoiseKind))
    return (
        kind.value,
        (Silence(7000),),
        0.0,
        Noise(kind, -rng.uniform(20.0, 55.0), rng.randint(0, 5000)),
    )
