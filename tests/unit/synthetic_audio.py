"""Synthetic call audio for AMD unit tests: frames of silence, syllabic "voice", tones and noise.

"Voice" is noise whose level jumps every frame, as syllables do; steady noise is what the
adaptive floor learns to ignore. Everything is seeded so the tests are repeatable.
"""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np

from dialer.amd.audio import FRAME_MS, FULL_SCALE, SAMPLE_RATE_HZ, SAMPLES_PER_FRAME

VOICE_LEVELS_DBFS = (-18.0, -27.0)


def frames_for(ms: int) -> int:
    return ms // FRAME_MS


def _pcm(samples: np.ndarray) -> bytes:
    clipped = np.clip(np.round(samples * FULL_SCALE), -FULL_SCALE, FULL_SCALE - 1)
    return clipped.astype("<i2").tobytes()


def _noise_at(level_dbfs: float, rng: np.random.Generator) -> np.ndarray:
    return rng.standard_normal(SAMPLES_PER_FRAME) * 10 ** (level_dbfs / 20)


def silence(ms: int) -> list[bytes]:
    return [bytes(SAMPLES_PER_FRAME * 2)] * frames_for(ms)


def voice(ms: int, seed: int = 1) -> list[bytes]:
    rng = np.random.default_rng(seed)
    return [_pcm(_noise_at(VOICE_LEVELS_DBFS[i % 2], rng)) for i in range(frames_for(ms))]


def noise(ms: int, level_dbfs: float, seed: int = 2) -> list[bytes]:
    rng = np.random.default_rng(seed)
    return [_pcm(_noise_at(level_dbfs, rng)) for _ in range(frames_for(ms))]


def mixed(a: list[bytes], b: list[bytes]) -> list[bytes]:
    out = []
    for x, y in zip(a, b, strict=True):
        sa = np.frombuffer(x, "<i2").astype(np.float64) + np.frombuffer(y, "<i2")
        out.append(np.clip(sa, -FULL_SCALE, FULL_SCALE - 1).astype("<i2").tobytes())
    return out


def tone(ms: int, hz: float, level_dbfs: float = -12.0) -> list[bytes]:
    """A tone of whole frames (`ms` a multiple of 20)."""
    return tone_between_frames(ms, hz, 0, level_dbfs)


def tone_between_frames(
    ms: int, hz: float, offset_samples: int, level_dbfs: float = -12.0
) -> list[bytes]:
    """A tone that starts `offset_samples` into its first frame, as a call's frames cut a beep
    wherever it falls; silence fills the first and last frames around it."""
    count = ms * SAMPLE_RATE_HZ // 1000
    t = np.arange(count) / SAMPLE_RATE_HZ
    samples = np.zeros(-(-(offset_samples + count) // SAMPLES_PER_FRAME) * SAMPLES_PER_FRAME)
    samples[offset_samples : offset_samples + count] = (
        np.sin(2 * np.pi * hz * t) * 10 ** (level_dbfs / 20) * np.sqrt(2)
    )
    return [
        _pcm(samples[i : i + SAMPLES_PER_FRAME]) for i in range(0, len(samples), SAMPLES_PER_FRAME)
    ]


def timed(frames: list[bytes]) -> Iterator[tuple[bytes, int]]:
    """Each frame with its offset from the answer."""
    for index, frame in enumerate(frames):
        yield frame, index * FRAME_MS
