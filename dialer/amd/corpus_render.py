"""Render one planned corpus item with espeak-ng and sox into WAV, mu-law and A-law files.

Everything the line does to audio is sox's: telephone band-pass, 8 kHz resampling, levels, noise
(in sox's repeatable mode, so the corpus is the same on every machine), silences and tones. The
raw `.ulaw`/`.alaw` files are what sipp's `rtp_stream` action plays (160 bytes per 20 ms packet).
"""

from __future__ import annotations

import shutil
import subprocess
import wave
from dataclasses import dataclass
from pathlib import Path

from dialer.amd.audio import MS_PER_SECOND, SAMPLE_RATE_HZ
from dialer.amd.corpus_plan import ItemPlan, Silence, Speech, Tone

TOOLS = ("espeak-ng", "sox")
_PCM = ("-r", str(SAMPLE_RATE_HZ), "-c", "1", "-b", "16", "-e", "signed-integer")
# The pass band of a telephone line.
_TELEPHONE_BAND = "300-3400"
# Peaks of speech and tones before the item's level is set: a beep a few dB under the voice.
_SPEECH_PEAK_DBFS = "-1"
_TONE_PEAK_DBFS = "-5"


class CorpusToolMissing(RuntimeError):
    """espeak-ng or sox is not installed."""


@dataclass(frozen=True)
class RenderedItem:
    duration_ms: int
    beep_start_ms: int | None
    beep_end_ms: int | None
    beep_hz: float | None
    first_speech_ms: int | None
    files: dict[str, str]


def missing_tools() -> list[str]:
    return [tool for tool in TOOLS if shutil.which(tool) is None]


def render_item(plan: ItemPlan, outdir: Path, workdir: Path) -> RenderedItem:
    workdir.mkdir(parents=True, exist_ok=True)
    part_files: list[Path] = []
    offset_ms = 0
    beep: tuple[int, int, float] | None = None
    first_speech_ms: int | None = None
    for index, part in enumerate(plan.parts):
        path = workdir / f"part{index:02d}.wav"
        _render_part(part, path, workdir)
        length = wav_duration_ms(path)
        if isinstance(part, Tone) and part.is_beep and beep is None:
            beep = (offset_ms, offset_ms + length, part.hz)
        if isinstance(part, Speech) and first_speech_ms is None:
            first_speech_ms = offset_ms
        part_files.append(path)
        offset_ms += length
    clean = workdir / "clean.wav"
    level = ("gain", "-n", f"{plan.peak_dbfs:.1f}") if first_speech_ms is not None or beep else ()
    _sox(*part_files, *_PCM, clean, *level)
    final = outdir / f"{plan.item_id}.wav"
    if plan.noise is None:
        shutil.copyfile(clean, final)
    else:
        noise = workdir / "noise.wav"
        noise_peak = plan.noise.relative_db + (plan.peak_dbfs if level else 0.0)
        seconds = (offset_ms + plan.noise.offset_ms) / MS_PER_SECOND
        _sox(
            "-R",
            "-n",
            *_PCM,
            noise,
            "synth",
            f"{seconds:.3f}",
            plan.noise.kind.value,
            "gain",
            "-n",
            f"{noise_peak:.1f}",
            "trim",
            f"{plan.noise.offset_ms / MS_PER_SECOND:.3f}",
        )
        _sox("-m", "-v", "1", clean, "-v", "1", noise, *_PCM, final)
    files = {"wav": final.name}
    for codec, sox_type in (("ulaw", "ul"), ("alaw", "al")):
        encoded = outdir / f"{plan.item_id}.{codec}"
        _sox(final, "-t", sox_type, "-r", str(SAMPLE_RATE_HZ), "-c", "1", encoded)
        files[codec] = encoded.name
    return RenderedItem(
        duration_ms=wav_duration_ms(final),
        beep_start_ms=beep[0] if beep else None,
        beep_end_ms=beep[1] if beep else None,
        beep_hz=beep[2] if beep else None,
        first_speech_ms=first_speech_ms,
        files=files,
    )


def wav_duration_ms(path: Path) -> int:
    with wave.open(str(path), "rb") as wav:
        return wav.getnframes() * MS_PER_SECOND // wav.getframerate()


def _render_part(part: Speech | Silence | Tone, path: Path, workdir: Path) -> None:
    if isinstance(part, Silence):
        _sox("-n", *_PCM, path, "trim", "0", f"{part.ms / MS_PER_SECOND:.3f}")
    elif isinstance(part, Tone):
        _sox(
            "-n",
            *_PCM,
            path,
            "synth",
            f"{part.ms / MS_PER_SECOND:.3f}",
            "sine",
            f"{part.hz}",
            "gain",
            "-n",
            _TONE_PEAK_DBFS,
        )
    else:
        spoken = workdir / f"{path.stem}-espeak.wav"
        _run(
            "espeak-ng",
            "-v",
            part.voice,
            "-s",
            str(part.speed_wpm),
            "-p",
            str(part.pitch),
            "-w",
            spoken,
            part.text,
        )
        _sox(spoken, *_PCM, path, "sinc", _TELEPHONE_BAND, "gain", "-n", _SPEECH_PEAK_DBFS)


def _sox(*args: object) -> None:
    _run("sox", "-q", "-V1", *args)


def _run(*args: object) -> None:
    command = [str(arg) for arg in args]
    try:
        subprocess.run(command, check=True, capture_output=True)
    except FileNotFoundError as error:
        raise CorpusToolMissing(f"{command[0]} is not installed") from error
    except subprocess.CalledProcessError as error:
        raise RuntimeError(
            f"{' '.join(command)} failed: {error.stderr.decode(errors='replace')}"
        ) from error
