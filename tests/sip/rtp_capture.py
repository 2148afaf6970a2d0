"""What reached the carrier: RTP captured on the loopback interface (AF_PACKET, needs root).

sipp plays audio but cannot record it, so the sip tier records at the carrier's side by
capturing the UDP packets addressed to the port sipp answered with (m=audio in its 200 OK) and
decoding their G.711 payloads. No tool beyond Python: a raw socket on `lo`.
"""

from __future__ import annotations

import socket
import struct
import threading
from collections import defaultdict
from types import TracebackType

import numpy as np
import pytest

_ETH_P_ALL = 0x0003
_PACKET_OUTGOING = 4  # on lo every packet is seen twice: keep the incoming copy
_RTP_HEADER = 12


def _ulaw_table() -> np.ndarray:
    codes = ~np.arange(256, dtype=np.int32) & 0xFF
    sign = codes & 0x80
    exponent = (codes >> 4) & 0x07
    mantissa = codes & 0x0F
    magnitude = (((mantissa << 3) + 0x84) << exponent) - 0x84
    return np.where(sign != 0, -magnitude, magnitude).astype(np.int16)


def _alaw_table() -> np.ndarray:
    codes = np.arange(256, dtype=np.int32) ^ 0x55
    sign = codes & 0x80
    exponent = (codes >> 4) & 0x07
    mantissa = codes & 0x0F
    magnitude = np.where(
        exponent == 0, (mantissa << 4) + 8, ((mantissa << 4) + 0x108) << (exponent - 1)
    )
    return np.where(sign != 0, magnitude, -magnitude).astype(np.int16)


_DECODE = {0: _ulaw_table(), 8: _alaw_table()}


class RtpCapture:
    """Capture UDP datagrams sent to 127.0.0.1 while the context is open."""

    def __init__(self) -> None:
        try:
            self._socket = socket.socket(
                socket.AF_PACKET, socket.SOCK_RAW, socket.ntohs(_ETH_P_ALL)
            )
        except PermissionError:
            pytest.skip("capturing RTP at the carrier needs root (AF_PACKET)")
        self._socket.bind(("lo", 0))
        self._socket.settimeout(0.2)
        self._stop = threading.Event()
        self.payloads: dict[int, list[bytes]] = defaultdict(list)
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                frame, address = self._socket.recvfrom(65535)
            except TimeoutError:
                continue
            if address[2] == _PACKET_OUTGOING or frame[12:14] != b"\x08\x00" or frame[23] != 17:
                continue
            ip_header = (frame[14] & 0x0F) * 4
            udp = 14 + ip_header
            (port,) = struct.unpack_from("!H", frame, udp + 2)
            self.payloads[port].append(frame[udp + 8 :])

    def packets_to(self, port: int) -> int:
        """How many packets reached ``port`` so far: a mark to cut the audio at (audio_to)."""
        return len(self.payloads.get(port, []))

    def telephone_events_to(self, port: int) -> list[int]:
        """RFC 2833 event codes sent to ``port`` (0-9 digits, 10 '*', 11 '#'), one per key
        press: an event's packets (and the end packet's three copies) share one timestamp."""
        seen: dict[bytes, int] = {}
        for packet in list(self.payloads.get(port, [])):
            if len(packet) >= _RTP_HEADER + 4 and packet[0] >> 6 == 2 and packet[1] & 0x7F > 95:
                table = packet[1] & 0x7F
                if _DECODE.get(table) is None:
                    seen.setdefault(packet[4:8], packet[_RTP_HEADER])
        return list(seen.values())

    def ssrcs_to(self, port: int) -> list[bytes]:
        """The RTP streams (SSRC) sent to ``port``, in the order they began: tells two calls
        apart when a carrier (sipp) answers them all on one media port."""
        seen: dict[bytes, None] = {}
        for packet in list(self.payloads.get(port, [])):
            if len(packet) > _RTP_HEADER and packet[0] >> 6 == 2:
                seen.setdefault(packet[8:12], None)
        return list(seen)

    def audio_to(
        self, port: int, start: int = 0, end: int | None = None, ssrc: bytes | None = None
    ) -> np.ndarray:
        """16-bit samples decoded from the RTP packets (PCMU or PCMA) sent to ``port``
        (packets ``start`` to ``end``, marks from packets_to; only stream ``ssrc`` if given)."""
        chunks = []
        for packet in list(self.payloads.get(port, []))[start:end]:
            if len(packet) <= _RTP_HEADER or packet[0] >> 6 != 2:
                continue
            if ssrc is not None and packet[8:12] != ssrc:
                continue
            table = _DECODE.get(packet[1] & 0x7F)
            if table is not None:
                chunks.append(table[np.frombuffer(packet[_RTP_HEADER:], dtype=np.uint8)])
        return np.concatenate(chunks) if chunks else np.zeros(0, dtype=np.int16)

    def __enter__(self) -> RtpCapture:
        self._thread.start()
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self._stop.set()
        self._thread.join(timeout=2)
        self._socket.close()


def rms(samples: np.ndarray) -> float:
    if samples.size == 0:
        return 0.0
    return float(np.sqrt(np.mean(samples.astype(np.float64) ** 2)))
