"""A pcap of one RTP stream for sipp's play_pcap_audio: speech as PCMU packets every 20 ms, then
comfort-noise packets (RFC 3389, payload type 13) as a carrier suppressing silence sends them.

sipp replays the UDP payloads at the capture's pace from its own media port, so the addresses
and ports written here are placeholders.
"""

from __future__ import annotations

import struct
from pathlib import Path

PCMU, CN = 0, 13
FRAME_BYTES = 160  # 20 ms of 8 kHz mu-law
_LINKTYPE_ETHERNET = 1
_SSRC = 0x5EED0001


def _checksum(header: bytes) -> int:
    total = sum(struct.unpack(f"!{len(header) // 2}H", header))
    while total >> 16:
        total = (total & 0xFFFF) + (total >> 16)
    return ~total & 0xFFFF


def _frame(rtp: bytes) -> bytes:
    """Ethernet + IPv4 + UDP around one RTP packet (placeholder addresses and ports)."""
    udp = struct.pack("!HHHH", 6000, 6000, 8 + len(rtp), 0) + rtp
    ip = struct.pack(
        "!BBHHHBBH4s4s", 0x45, 0, 20 + len(udp), 0, 0, 64, 17, 0,
        bytes([127, 0, 0, 1]), bytes([127, 0, 0, 1]),
    )  # fmt: skip
    ip = ip[:10] + struct.pack("!H", _checksum(ip)) + ip[12:]
    return b"\x00" * 12 + b"\x08\x00" + ip + udp


def _rtp(payload_type: int, seq: int, timestamp: int, payload: bytes, marker: bool) -> bytes:
    first = 0x80  # version 2, no padding, extension or CSRC
    second = (0x80 if marker else 0) | payload_type
    return struct.pack("!BBHII", first, second, seq & 0xFFFF, timestamp, _SSRC) + payload


def write_speech_then_comfort_noise(
    path: Path, speech: bytes, noise_dbov: int, noise_seconds: float, cn_every_s: float = 0.2
) -> int:
    """Speech (mu-law bytes) in 20 ms packets, then a CN packet of `noise_dbov` (-dBov, 0-127)
    every `cn_every_s` for `noise_seconds`. Returns the number of packets written."""
    records: list[tuple[float, bytes]] = []
    seq = timestamp = 0
    for start in range(0, len(speech) - FRAME_BYTES + 1, FRAME_BYTES):
        chunk = speech[start : start + FRAME_BYTES]
        records.append((timestamp / 8000, _rtp(PCMU, seq, timestamp, chunk, seq == 0)))
        seq, timestamp = seq + 1, timestamp + FRAME_BYTES
    steps = int(noise_seconds / cn_every_s)
    for _ in range(steps):
        records.append((timestamp / 8000, _rtp(CN, seq, timestamp, bytes([noise_dbov]), False)))
        seq, timestamp = seq + 1, timestamp + int(cn_every_s * 8000)
    with path.open("wb") as out:
        out.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, _LINKTYPE_ETHERNET))
        for at, rtp in records:
            frame = _frame(rtp)
            seconds = int(at)
            micros = int((at - seconds) * 1e6)
            out.write(struct.pack("<IIII", seconds, micros, len(frame), len(frame)))
            out.write(frame)
    return len(records)
