"""What the carrier plays after answering, for AMD tests: greeting.ulaw in sipp's directory.

Made at test time with espeak-ng and sox, as the corpus is. Most files end with seconds of
mu-law silence, as a line that keeps sending RTP; `human_hello_then_no_rtp` stops sending after
the hello, as a carrier suppressing silence does (pjsua keeps the detector's frames coming).
"""

from __future__ import annotations

import subprocess
from pathlib import Path

from .rtp_pcap import write_speech_then_comfort_noise

GREETING_FILE = "greeting.ulaw"
PCAP_FILE = "greeting.pcap"  # Scenario.ANSWER_COMFORT_NOISE replays it
MULAW_SILENCE = b"\xff"  # mu-law code of 0
BYTES_PER_SECOND = 8000
BEEP_HZ = 1000
BEEP_SECONDS = 0.5


def silence(seconds: float) -> bytes:
    return MULAW_SILENCE * int(seconds * BYTES_PER_SECOND)


def spoken(work: Path, name: str, text: str, wpm: int = 160) -> bytes:
    wav = work / f"{name}.wav"
    raw = work / f"{name}.ul"
    subprocess.run(["espeak-ng", "-s", str(wpm), "-w", str(wav), text], check=True)
    subprocess.run(["sox", str(wav), "-r", "8000", "-c", "1", "-t", "ul", str(raw)], check=True)
    return raw.read_bytes()


def synth(work: Path, name: str, seconds: float, *what: str) -> bytes:
    raw = work / f"{name}.ul"
    subprocess.run(
        [
            "sox",
            "-R",
            "-n",
            "-r",
            "8000",
            "-c",
            "1",
            "-t",
            "ul",
            str(raw),
            "synth",
            str(seconds),
            *what,
        ],
        check=True,
    )
    return raw.read_bytes()


def write_greeting(directory: Path, *parts: bytes) -> float:
    """Write greeting.ulaw from the parts; returns its length in seconds."""
    directory.mkdir(parents=True, exist_ok=True)
    audio = b"".join(parts)
    (directory / GREETING_FILE).write_bytes(audio)
    return len(audio) / BYTES_PER_SECOND


def human_hello(directory: Path, trailing_silence_s: float = 20) -> float:
    work = directory / "work"
    work.mkdir(parents=True, exist_ok=True)
    return write_greeting(
        directory, silence(0.4), spoken(work, "hello", "Hello?"), silence(trailing_silence_s)
    )


def human_hello_then_no_rtp(directory: Path) -> float:
    """A hello, then the line sends nothing (a carrier suppressing silence)."""
    return human_hello(directory, trailing_silence_s=0)


def human_hello_then_comfort_noise(directory: Path) -> float:
    """A hello, then only comfort-noise packets (RFC 3389) at -60 dBov: a carrier with VAD.
    For Scenario.ANSWER_COMFORT_NOISE (greeting.pcap)."""
    work = directory / "work"
    work.mkdir(parents=True, exist_ok=True)
    hello = silence(0.4) + spoken(work, "hello", "Hello?")
    write_speech_then_comfort_noise(directory / PCAP_FILE, hello, noise_dbov=60, noise_seconds=20)
    return len(hello) / BYTES_PER_SECOND


def voicemail_with_beep(directory: Path) -> tuple[float, float]:
    """A long voicemail greeting and its beep; returns (beep start, beep end) in seconds."""
    work = directory / "work"
    work.mkdir(parents=True, exist_ok=True)
    greeting = spoken(
        work,
        "voicemail",
        "Hi, you have reached the voicemail of Sam Porter. I can't take your call right now. "
        "Please leave your name and number after the tone.",
    )
    lead, gap = silence(0.3), silence(0.6)
    beep_start = (len(lead) + len(greeting) + len(gap)) / BYTES_PER_SECOND
    beep = synth(work, "beep", BEEP_SECONDS, "sine", str(BEEP_HZ), "vol", "0.5")
    write_greeting(directory, lead, greeting, gap, beep, silence(30))
    return beep_start, beep_start + BEEP_SECONDS


def line_silence(directory: Path) -> float:
    return write_greeting(directory, silence(30))


def line_noise(directory: Path) -> float:
    work = directory / "work"
    work.mkdir(parents=True, exist_ok=True)
    return write_greeting(directory, synth(work, "noise", 30, "pinknoise", "vol", "0.05"))
