"""Where the offline benchmark's audio frames come from: the corpus files, decoded as a G.711
trunk would deliver them, cut into 20 ms frames from a chosen phase. (The real-call bench,
dialer.bench.amd_calls, has sipp play the same files to the pjsua2 adapter instead.)"""

from __future__ import annotations

import wave
from collections.abc import Iterator
from dataclasses import replace
from enum import StrEnum
from pathlib import Path
from typing import Protocol

import numpy as np
import numpy.typing as npt

from dialer.amd.audio import BYTES_PER_SAMPLE, FRAME_BYTES, MS_PER_SECOND, SAMPLE_RATE_HZ
from dialer.amd.corpus import CorpusItem

FRAME_SAMPLES = FRAME_BYTES // BYTES_PER_SAMPLE


class Codec(StrEnum):
    WAV = "wav"
    ULAW = "ulaw"
    ALAW = "alaw"


class FrameSource(Protocol):
    def frames(self, item: CorpusItem) -> Iterator[bytes]:
        """320-byte frames of 8 kHz 16-bit little-endian PCM, in order, from the answer on."""
        ...

    def as_heard(self, item: CorpusItem) -> CorpusItem:
        """The item with its times (beep) as these frames place them."""
        ...


class OfflineSource:
    """Feeds the corpus files straight to the classifier, with no network or telephony.

    `offset_samples` drops that many samples first, so the 20 ms frames fall elsewhere in the
    audio: on a call the frame grid has no fixed place in the greeting, and a verdict that
    changes with it (a word counted as two) is a verdict the corpus cannot vouch for."""

    def __init__(self, codec: Codec = Codec.ULAW, offset_samples: int = 0) -> None:
        if not 0 <= offset_samples < FRAME_SAMPLES:
            raise ValueError(f"offset must be 0-{FRAME_SAMPLES - 1} samples")
        self.codec = codec
        self.offset_samples = offset_samples

    def frames(self, item: CorpusItem) -> Iterator[bytes]:
        pcm = read_pcm(item, self.codec)[self.offset_samples * BYTES_PER_SAMPLE :]
        for start in range(0, len(pcm) - FRAME_BYTES + 1, FRAME_BYTES):
            yield pcm[start : start + FRAME_BYTES]

    def as_heard(self, item: CorpusItem) -> CorpusItem:
        """Dropped samples bring the beep that much closer to the answer (to the ms)."""
        if not self.offset_samples:
            return item
        dropped_ms = self.offset_samples * MS_PER_SECOND / SAMPLE_RATE_HZ

        def moved(ms: int | None) -> int | None:
            return None if ms is None else round(ms - dropped_ms)

        return replace(
            item,
            duration_ms=round(item.duration_ms - dropped_ms),
            beep_time_ms=moved(item.beep_time_ms),
            beep_end_ms=moved(item.beep_end_ms),
        )


def phased_sources(codec: Codec, phases: int) -> dict[str, OfflineSource]:
    """`phases` sources whose frame grids start evenly spread over one 20 ms frame, by label
    ("+0.0 ms", "+2.5 ms", ...; one phase: the single source, labelled "")."""
    if not 1 <= phases <= FRAME_SAMPLES:
        raise ValueError(f"phases must be 1-{FRAME_SAMPLES}")
    if phases == 1:
        return {"": OfflineSource(codec)}
    sources = {}
    for k in range(phases):
        offset = k * FRAME_SAMPLES // phases
        sources[f"+{offset * MS_PER_SECOND / SAMPLE_RATE_HZ:.1f} ms"] = OfflineSource(codec, offset)
    return sources


def read_pcm(item: CorpusItem, codec: Codec) -> bytes:
    if codec is Codec.WAV:
        with wave.open(str(item.wav), "rb") as wav:
            return wav.readframes(wav.getnframes())
    encoded = np.frombuffer(
        Path(item.ulaw if codec is Codec.ULAW else item.alaw).read_bytes(), dtype=np.uint8
    )
    table = _ULAW_TABLE if codec is Codec.ULAW else _ALAW_TABLE
    return table[encoded].astype("<i2").tobytes()


def _ulaw_table() -> npt.NDArray[np.int16]:
    # ITU-T G.711 mu-law expansion: complement, then sign, 3-bit exponent and 4-bit mantissa.
    code = ~np.arange(256, dtype=np.int32) & 0xFF
    exponent = (code >> 4) & 0x07
    magnitude = ((((code & 0x0F) << 3) + 0x84) << exponent) - 0x84
    return np.where(code & 0x80, -magnitude, magnitude).astype(np.int16)


def _alaw_table() -> npt.NDArray[np.int16]:
    # ITU-T G.711 A-law expansion: even bits inverted, then sign, exponent and mantissa.
    code = np.arange(256, dtype=np.int32) ^ 0x55
    exponent = (code >> 4) & 0x07
    mantissa = code & 0x0F
    magnitude = np.where(
        exponent == 0, (mantissa << 4) + 8, ((mantissa << 4) + 0x108) << np.maximum(exponent - 1, 0)
    )
    return np.where(code & 0x80, magnitude, -magnitude).astype(np.int16)


_ULAW_TABLE = _ulaw_table()
_ALAW_TABLE = _alaw_table()
