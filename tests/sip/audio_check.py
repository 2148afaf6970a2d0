"""Is there sound in a WAV file? Enough to tell speech from silence, nothing more."""

from __future__ import annotations

import array
import math
import wave
from pathlib import Path

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
