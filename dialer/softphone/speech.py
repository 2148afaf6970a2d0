"""The robot's voice: espeak-ng speaks, sox makes it 8 kHz 16-bit mono (what the bridge plays).

Generated at start (no audio in the repository), with a pause at the end so that the looped
file sounds like someone talking, not a recording on repeat.
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path

DEFAULT_TEXT = (
    "Hello, thank you for taking my call. I am calling about your account with us. "
    "Do you have a minute to talk about the new offer?"
)


class SpeechUnavailable(RuntimeError):
    """espeak-ng or sox is missing, or failed."""


def speech_wav(directory: Path, text: str = DEFAULT_TEXT, pause_s: float = 1.0) -> Path:
    """``directory/agent-speech.wav``, made once."""
    target = directory / "agent-speech.wav"
    if target.exists():
        return target
    espeak, sox = shutil.which("espeak-ng"), shutil.which("sox")
    if espeak is None or sox is None:
        raise SpeechUnavailable("espeak-ng and sox are needed for the robot's speech")
    directory.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=directory) as work:
        raw, out = Path(work) / "raw.wav", Path(work) / "speech.wav"
        try:
            subprocess.run(
                [espeak, "-v", "en-us", "-s", "150", "-w", str(raw), text],
                check=True,
                capture_output=True,
            )
            subprocess.run(
                [sox, str(raw), "-r", "8000", "-c", "1", "-b", "16", "-e", "signed-integer",
                 str(out), "pad", "0", str(pause_s)],
                check=True,
                capture_output=True,
            )  # fmt: skip
        except subprocess.CalledProcessError as failed:
            raise SpeechUnavailable(f"could not make the robot's speech: {failed}") from failed
        out.replace(target)
    return target
