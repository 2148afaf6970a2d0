"""What one 20 ms frame of call audio looks like to the detector: its level and its strongest tone.

The telephony adapter hands us 8 kHz signed 16-bit little-endian mono PCM (G.711 decoded by
pjsua2). Everything downstream works on `FrameFeatures`, so the spectrum is computed once per
frame and shared by the greeting classifier and the tone (beep) tracker.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

SAMPLE_RATE_HZ = 8000
BYTES_PER_SAMPLE = 2
FRAME_MS = 20
SAMPLES_PER_FRAME = SAMPLE_RATE_HZ * FRAME_MS // 1000
FRAME_BYTES = SAMPLES_PER_FRAME * BYTES_PER_SAMPLE
MS_PER_SECOND = 1000

FULL_SCALE = 32768.0
# Level reported for digital silence: log10(0) has no value, and -120 dBFS sits far below the
# quietest 16-bit signal (about -96 dBFS), so it can never be mistaken for sound.
SILENT_DBFS = -120.0
# Bins on each side of the spectral peak that still belong to a pure tone: a Hann window spreads a
# sinusoid over its main lobe, which is two bins either side.
TONE_LOBE_BINS = 2
# The band a telephone line carries speech in; the level is measured there only.
VOICE_BAND_HZ = (300.0, 3400.0)
# Below this frequency a spectral peak is hum or the DC offset of a cheap line, never a beep.
TONE_LOWEST_HZ = 200.0

_PCM_DTYPE = np.dtype("<i2")


@dataclass(frozen=True)
class FrameFeatures:
    """Voice-band level in dBFS (RMS), the strongest tone's frequency and purity (energy share)."""

    duration_ms: int
    level_dbfs: float
    tone_hz: float
    tone_purity: float


def frame_duration_ms(pcm: bytes) -> int:
    """Duration of a PCM chunk; any whole number of samples is accepted, 320 bytes is 20 ms."""
    return len(pcm) // BYTES_PER_SAMPLE * MS_PER_SECOND // SAMPLE_RATE_HZ


def pcm_samples(pcm: bytes) -> npt.NDArray[np.float64]:
    """The samples of a PCM chunk as floats in [-1, 1); a trailing odd byte is dropped."""
    usable = len(pcm) - len(pcm) % BYTES_PER_SAMPLE
    return np.frombuffer(pcm[:usable], dtype=_PCM_DTYPE).astype(np.float64) / FULL_SCALE


def level_dbfs(samples: npt.NDArray[np.float64]) -> float:
    """RMS level in dB relative to full scale; SILENT_DBFS for digital silence or no samples."""
    if samples.size == 0:
        return SILENT_DBFS
    return _dbfs(float(np.mean(samples * samples)))


def power_spectrum(samples: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
    """Hann-windowed power spectrum; one FFT per frame serves both level and tone."""
    return np.abs(np.fft.rfft(samples * _hann(samples.size))) ** 2


def band_level_dbfs(power: npt.NDArray[np.float64], size: int) -> float:
    """RMS level (dBFS) of the telephone voice band only.

    Hum and low rumble (a fan, a car, brown noise) carry much energy below 300 Hz where no
    telephone speech is; counting it made noisy lines read as one long word.
    """
    if size == 0:
        return SILENT_DBFS
    low, high = (round(hz * size / SAMPLE_RATE_HZ) for hz in VOICE_BAND_HZ)
    band = float(np.sum(power[low : high + 1]))
    # Parseval with the window's energy, and doubled for the negative frequencies rfft omits.
    window_energy = float(np.sum(_hann(size) ** 2))
    return _dbfs(2.0 * band / (size * window_energy))


def strongest_tone(power: npt.NDArray[np.float64], size: int) -> tuple[float, float]:
    """Frequency (Hz) and purity (energy share of its main lobe) of the strongest spectral peak.

    A voicemail beep is a single sinusoid, so nearly all of its energy sits in one main lobe; voice
    spreads its energy over many harmonics and formants, so its purity stays well below a beep's.
    """
    if size < 2 * TONE_LOBE_BINS + 2:
        return 0.0, 0.0
    lowest_bin = max(1, int(np.ceil(TONE_LOWEST_HZ * size / SAMPLE_RATE_HZ)))
    total = float(np.sum(power))
    if total <= 0.0:
        return 0.0, 0.0
    peak = lowest_bin + int(np.argmax(power[lowest_bin:]))
    lobe = float(np.sum(power[max(0, peak - TONE_LOBE_BINS) : peak + TONE_LOBE_BINS + 1]))
    return _interpolated_hz(power, peak, size), min(1.0, lobe / total)


def measure_frame(pcm: bytes) -> FrameFeatures:
    """All the detector needs from one chunk of PCM."""
    samples = pcm_samples(pcm)
    power = power_spectrum(samples)
    tone_hz, purity = strongest_tone(power, samples.size)
    return FrameFeatures(
        duration_ms=frame_duration_ms(pcm),
        level_dbfs=band_level_dbfs(power, samples.size),
        tone_hz=tone_hz,
        tone_purity=purity,
    )


def _dbfs(mean_square: float) -> float:
    if mean_square <= 0.0:
        return SILENT_DBFS
    return max(SILENT_DBFS, 10.0 * float(np.log10(mean_square)))


_HANN_CACHE: dict[int, npt.NDArray[np.float64]] = {}


def _hann(size: int) -> npt.NDArray[np.float64]:
    # Frames are almost always 160 samples: build the window once, not 50 times a second per call.
    window = _HANN_CACHE.get(size)
    if window is None:
        window = np.hanning(size)
        _HANN_CACHE[size] = window
    return window


def _interpolated_hz(power: npt.NDArray[np.float64], peak: int, size: int) -> float:
    # A 160-sample frame has 50 Hz bins; fitting a parabola through the log power of the peak and
    # its neighbours locates a sinusoid to a few Hz, enough to tell a steady beep from a glide.
    bin_hz = SAMPLE_RATE_HZ / size
    if peak <= 0 or peak >= power.size - 1:
        return peak * bin_hz
    left, centre, right = (float(np.log(power[i] + 1e-30)) for i in (peak - 1, peak, peak + 1))
    curvature = left - 2.0 * centre + right
    if curvature >= 0.0:  # not a maximum (flat or noisy spectrum): keep the bin's own frequency
        return peak * bin_hz
    offset = min(0.5, max(-0.5, 0.5 * (left - right) / curvature))
    return (peak + offset) * bin_hz
