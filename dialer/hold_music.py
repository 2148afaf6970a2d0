"""Music on hold: a short tune of sine tones made once by sox and cached under the data dir.

Made before the call, like the abandonment message (dialer.abandon_message): a hold must start
at once, not after a subprocess. Tones rather than speech: the customer knows at once that the
call is on hold and not dead, and tests tell it from any voice by its frequencies.
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
import threading
from pathlib import Path

# C5, E5, G5, E5: none near the 1 kHz test tones of the sip tier, all inside G.711's band.
NOTES_HZ = (523.25, 659.25, 783.99, 659.25)
_VERSION = "v1"  # change it when the tune changes: the cached file is named after it
_generating = threading.Lock()


class HoldMusicUnavailable(RuntimeError):
    pass


def hold_music(data_dir: Path) -> Path:
    """The 8 kHz 16-bit mono WAV to loop to a held customer, generated on first use."""
    target = data_dir / "messages" / f"hold-music-{_VERSION}.wav"
    if not target.exists():
        with _generating:
            if not target.exists():
                _generate(target)
    return target


def _generate(target: Path) -> None:
    sox = shutil.which("sox")
    if sox is None:
        raise HoldMusicUnavailable("sox is needed to generate the music on hold")
    target.parent.mkdir(parents=True, exist_ok=True)
    effects: list[str] = []
    for index, note in enumerate(NOTES_HZ):
        if index:
            effects.append(":")
        effects += ["synth", "0.45", "sine", str(note), "vol", "0.4", "pad", "0", "0.05"]
    with tempfile.TemporaryDirectory(dir=target.parent) as work:
        made = Path(work) / "hold.wav"
        try:
            subprocess.run(
                [sox, "-n", "-r", "8000", "-c", "1", "-b", "16", "-e", "signed-integer",
                 str(made), *effects],
                check=True,
                capture_output=True,
            )  # fmt: skip
        except subprocess.CalledProcessError as error:
            raise HoldMusicUnavailable(f"could not generate the music on hold: {error}") from error
        made.replace(target)  # atomic: other worker processes may be making it too
