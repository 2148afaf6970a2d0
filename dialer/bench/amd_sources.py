"""Where the benchmark's audio frames come from. Offline: the corpus files, decoded as a G.711
trunk would deliver them. The real-call source (sipp playing the corpus to the pjsua2 adapter)
will implement the same protocol once the adapter lands."""

from __future__ import annotations

import wave
from collections.abc import Iterator
from enum import StrEnum
from pathlib import Path
from typing import Protocol

import numpy as np
import numpy.typing as npt

from dialer.amd.audio import FRAME_BYTES
from dialer.amd.corpus import CorpusItem


class Codec(StrEnum):
    WAV = "wav"
    ULAW = "ulaw"
    ALAW = "alaw"


class FrameSource(Protocol):
    def frames(self, item: CorpusItem) -> Iterator[bytes]:
        """320-byte frames of 8 kHz 16-bit little-endian PCM, in order, from the answer on."""
        ...


class OfflineSource:
    """Feeds the corpus files straight to the classifier, with no network or telephony."""

    def __init__(self, codec: Codec = Codec.ULAW) -> None:
        self.codec = codec

    def frames(self, item: CorpusItem) -> Iterator[bytes]:
        pcm = read_pcm(item, self.codec)
        for start in range(0, len(pcm) - FRAME_BYTES + 1, FRAME_BYTES):
            yield pcm[start : start + FRAME_BYTES]


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
