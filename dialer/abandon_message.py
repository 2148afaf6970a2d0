"""The abandonment message: the campaign's uploaded WAV, or a default spoken by espeak-ng.

The message must start within 2 s of the answer, so it is never generated at that moment: the
worker makes sure it exists before it dials (generated once, cached under the data dir by the
text it speaks). pjsua2 plays 8 kHz 16-bit mono PCM, so sox converts espeak-ng's output.
"""

from __future__ import annotations

import hashlib
import shutil
import subprocess
import tempfile
import threading
from pathlib import Path

import phonenumbers


class MessageUnavailable(RuntimeError):
    """Neither an uploaded message nor the tools to speak the default one."""


# Two dial tasks of one process may ask for the same message at once: one generates it.
_generating = threading.Lock()


def default_text(campaign_name: str, caller_id: str) -> str:
    # COMPLIANCE.md: identify the caller, give a callback number, offer an automated opt-out.
    number = phonenumbers.format_number(
        phonenumbers.parse(caller_id, None), phonenumbers.PhoneNumberFormat.NATIONAL
    )
    spoken = " ".join(number)
    return (
        f"Hello, this is {campaign_name} calling. We are sorry, no one was free to take this call. "
        f"To call us back, or to stop future calls, dial {spoken}."
    )


def message_for(campaign_name: str, caller_id: str, uploaded: str | None, data_dir: Path) -> Path:
    """The WAV to play on abandonment for this campaign, generating the default once."""
    if uploaded:
        path = Path(uploaded)
        path = path if path.is_absolute() else data_dir / path
        if path.exists():
            return path
    text = default_text(campaign_name, caller_id)
    digest = hashlib.sha256(text.encode()).hexdigest()[:16]
    target = data_dir / "messages" / f"abandon-{digest}.wav"
    if not target.exists():
        with _generating:
            if not target.exists():
                _speak(text, target)
    return target


def _speak(text: str, target: Path) -> None:
    espeak, sox = shutil.which("espeak-ng"), shutil.which("sox")
    if espeak is None or sox is None:
        raise MessageUnavailable("espeak-ng and sox are needed to generate the default message")
    target.parent.mkdir(parents=True, exist_ok=True)
    # Private temporary names: other worker processes may be generating the same file.
    with tempfile.TemporaryDirectory(dir=target.parent) as work:
        raw, converted = Path(work) / "espeak.wav", Path(work) / "message.wav"
        try:
            subprocess.run(
                [espeak, "-v", "en-us", "-s", "150", "-w", str(raw), text],
                check=True,
                capture_output=True,
            )
            subprocess.run(
                [sox, str(raw), "-r", "8000", "-c", "1", "-b", "16", "-e", "signed-integer",
                 str(converted)],
                check=True,
                capture_output=True,
            )  # fmt: skip
        except subprocess.CalledProcessError as error:
            raise MessageUnavailable(
                f"could not generate the abandonment message: {error}"
            ) from error
        converted.replace(target)  # atomic: nobody ever plays half a file
