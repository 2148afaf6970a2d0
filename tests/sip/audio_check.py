"""Is there sound in a WAV file, and is a known prompt in what was heard?"""

from __future__ import annotations

import array
import math
import wave
from pathlib import Path

import numpy as np

# 16-bit full scale is 32768; espeak speech sits in the thousands, digital silence at 0.
SPEECH_RMS = 300.0


def rms(path: Path) -> float:
    with wave.open(str(path), "rb") as wav:
        assert wav.getsampwidth() == 2, "expected 16-bit PCM"
        samples = array.array("h", wav.readframes(wav.getnframes()))
    if not samples:
        return 0.0
    return math.sqrt(sum(s * s for s in samples) / len(samples))


def seconds(path: Path) -> float:
    with wave.open(str(path), "rb") as wav:
        return wav.getnframes() / wav.getframerate()


def best_match(heard: np.ndarray, expected: np.ndarray) -> float:
    """How closely ``expected`` appears somewhere in ``heard`` (both 8 kHz 16-bit samples): the
    highest normalised cross-correlation over every offset, 1.0 for an exact copy. G.711 and
    the conference bridge leave a played prompt well above 0.5; other speech stays far below."""
    if heard.size < expected.size or expected.size == 0:
        return 0.0
    a = heard.astype(np.float64)
    b = expected.astype(np.float64)
    size = 1 << int(np.ceil(np.log2(a.size + b.size)))
    products = np.fft.irfft(np.fft.rfft(a, size) * np.conj(np.fft.rfft(b, size)), size)
    valid = products[: a.size - b.size + 1]
    energy = np.concatenate([[0.0], np.cumsum(a * a)])
    windows = np.sqrt(np.maximum(energy[b.size :] - energy[: -b.size], 1e-9))
    return float(np.max(valid / (windows * np.linalg.norm(b))))


def wav_samples(path: Path) -> np.ndarray:
    with wave.open(str(path), "rb") as wav:
        assert wav.getsampwidth() == 2, "expected 16-bit PCM"
        return np.frombuffer(wav.readframes(wav.getnframes()), dtype=np.int16)
