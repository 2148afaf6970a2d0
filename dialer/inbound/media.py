"""What queued callers hear: the queue's announcement then music, looped; the voicemail and
callback prompts. Generated once (espeak-ng speaks, sox synthesises and converts) and cached in
the data directory by content, so every inbound process plays the same files and none of them
generates anything while a caller waits."""

from __future__ import annotations

import hashlib
import shutil
import subprocess
import tempfile
import threading
from collections.abc import Callable, Iterable
from pathlib import Path

from campaigns.storage.inbound_store import QueueRoute
from dialer.abandon_message import MessageUnavailable

_generating = threading.Lock()
_PCM = ["-r", "8000", "-c", "1", "-b", "16", "-e", "signed-integer"]

VOICEMAIL_PROMPT = (
    "Sorry, all our agents are still busy. Please leave a message after the tone, "
    "and we will call you back."
)
CALLBACK_PROMPT = (
    "Sorry, all our agents are still busy. We have kept your number and will call you back "
    "as soon as an agent is free. Goodbye."
)


def default_announcement(queue_name: str) -> str:
    return (
        f"Thank you for calling {queue_name}. All our agents are busy at the moment. "
        "Please hold: calls are answered in the order they arrive."
    )


def prepare(data_dir: Path, routes: Iterable[QueueRoute]) -> None:
    """Make every queue's hold audio and the prompts now, before any caller waits."""
    for route in routes:
        announcement = route.announcement or default_announcement(route.campaign_name)
        hold_audio(data_dir, announcement, route.music_on_hold)
        if route.announce_place_s:
            hold_audio(data_dir, None, route.music_on_hold)
    prompt(data_dir, VOICEMAIL_PROMPT, beep=True)
    prompt(data_dir, CALLBACK_PROMPT)


def hold_audio(data_dir: Path, announcement: str | None, music: str | None = None) -> Path:
    """The announcement, a pause, then about 20 s of music (the queue's WAV, or a soft chime);
    the music alone without an announcement (after a caller was told their place)."""
    key = hashlib.sha256(f"{announcement or ''}\0{music or ''}".encode()).hexdigest()[:16]
    target = data_dir / "inbound" / f"hold-{key}.wav"

    def make(work: Path, out: Path) -> None:
        tune = work / "music.wav"
        if music and Path(music).exists():
            _sox([music, *_PCM, str(tune)])
        else:
            _sox(["-n", *_PCM, str(tune), "synth", "0.4", "sine", "523", "sine", "659",
                  "sine", "784", "pad", "0", "0.8", "repeat", "11", "vol", "0.3"])  # fmt: skip
        if announcement:
            _sox([str(_speak(announcement, work)), str(tune), *_PCM, str(out), "pad", "0", "1"])
        else:
            _sox([str(tune), *_PCM, str(out), "pad", "0", "1"])

    return _cached(target, make)


def prompt(data_dir: Path, text: str, *, beep: bool = False) -> Path:
    """A spoken prompt (with a tone at the end for voicemail)."""
    key = hashlib.sha256(f"{text}\0{beep}".encode()).hexdigest()[:16]
    target = data_dir / "inbound" / f"prompt-{key}.wav"

    def make(work: Path, out: Path) -> None:
        spoken = _speak(text, work)
        if not beep:
            _sox([str(spoken), *_PCM, str(out)])
            return
        tone = work / "beep.wav"
        _sox(["-n", *_PCM, str(tone), "synth", "0.5", "sine", "1000", "vol", "0.5"])
        _sox([str(spoken), str(tone), *_PCM, str(out)])

    return _cached(target, make)


def _cached(target: Path, make: Callable[[Path, Path], None]) -> Path:
    if target.exists():
        return target
    with _generating:
        if target.exists():
            return target
        if shutil.which("espeak-ng") is None or shutil.which("sox") is None:
            raise MessageUnavailable("espeak-ng and sox are needed for the queue's audio")
        target.parent.mkdir(parents=True, exist_ok=True)
        # Private temporary names: other inbound processes may be making the same file.
        with tempfile.TemporaryDirectory(dir=target.parent) as work:
            out = Path(work) / "out.wav"
            make(Path(work), out)
            out.replace(target)  # atomic: nobody ever plays half a file
    return target


def _speak(text: str, work: Path) -> Path:
    raw, spoken = work / "espeak.wav", work / "spoken.wav"
    _run(["espeak-ng", "-v", "en-us", "-s", "150", "-w", str(raw), text])
    _sox([str(raw), *_PCM, str(spoken)])
    return spoken


def _sox(args: list[str]) -> None:
    _run(["sox", *args])


def _run(command: list[str]) -> None:
    try:
        subprocess.run(command, check=True, capture_output=True)
    except subprocess.CalledProcessError as error:
        raise MessageUnavailable(f"{command[0]} failed: {error.stderr[-300:]!r}") from error
