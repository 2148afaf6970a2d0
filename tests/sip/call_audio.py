"""What the sip tier's calls sound like: the agents' tones, how long a stretch is heard, and
measures of what was heard (a frequency band's share, silence, the recording)."""

from __future__ import annotations

import subprocess
import wave
from pathlib import Path

import numpy as np

from campaigns.storage.db import Connection

AGENT_TONE_HZ = 1000.0
# How long each stretch lasts; the first 0.3 s after a command is left out of every check
# (the command crosses Redis, the listener's BLPOP and the SIP loop first).
STRETCH_S = 2.0
SETTLE_S = 0.3
SILENCE_RMS = 60.0


def tone(directory: Path, hz: float, seconds: int) -> Path:
    """The agent's microphone: a steady tone, long enough that baresip never reaches its end
    (baresip hangs up when its file ends)."""
    out = directory / f"tone-{int(hz)}.wav"
    subprocess.run(
        ["sox", "-n", "-r", "8000", "-c", "1", "-b", "16", str(out),
         "synth", str(seconds), "sine", str(hz), "vol", "0.3"],
        check=True,
    )  # fmt: skip
    return out


def band_share(samples: np.ndarray, frequencies: tuple[float, ...], width: float = 40.0) -> float:
    """The share of the signal's energy within ``width`` Hz of any of ``frequencies``."""
    if samples.size < 800:
        return 0.0
    spectrum = np.abs(np.fft.rfft(samples.astype(np.float64))) ** 2
    bins = np.fft.rfftfreq(samples.size, 1 / 8000)
    near = np.zeros(bins.size, dtype=bool)
    for frequency in frequencies:
        near |= np.abs(bins - frequency) <= width
    total = float(spectrum[1:].sum())
    return float(spectrum[near].sum()) / total if total else 0.0


def recorded_mix(db: Connection, service_env: dict[str, str], attempt: int) -> np.ndarray:
    """The attempt's recording (a campaign that always records must have one), as samples."""
    [stored] = db.execute(
        "SELECT recording_path FROM call_attempts WHERE id = %s", (attempt,)
    ).fetchone() or (None,)
    assert stored is not None, "no recording although the campaign always records"
    with wave.open(str(Path(service_env["DIALER_DATA_DIR"]) / stored), "rb") as wav:
        return np.frombuffer(wav.readframes(wav.getnframes()), dtype=np.int16)


CARA_TONE_HZ = 1500.0


# Speech beside the tone: the RMS of what is more than 100 Hz away from it. The tone alone
# through G.711 leaves its quantisation noise (about 1 % of the tone, some 90 here); the
# carrier's speech is in the thousands.
SPEECH_BESIDE_TONE_RMS = 400.0
