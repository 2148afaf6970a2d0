"""Generate the AMD test corpus: `python -m dialer.amd.corpus OUTDIR [--profile held-out]`.

The project makes its own greetings (no recordings of real people, nothing to license or leak):
espeak-ng voices say what people, voicemail and carriers say, and sox makes them sound like a
phone line. The same profile and seed give the same corpus; a directory whose manifest matches the
plan is reused as is, so tests and benchmarks generate it once and then read it from the cache.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from dialer.amd.corpus_plan import (
    HELD_OUT,
    PROFILES,
    ItemPlan,
    Label,
    Profile,
    Speech,
    plan_corpus,
    plan_digest,
    scaled,
)
from dialer.amd.corpus_render import RenderedItem, render_item

MANIFEST = "manifest.json"
MANIFEST_VERSION = 1


@dataclass(frozen=True)
class CorpusItem:
    item_id: str
    label: Label
    category: str
    wav: Path
    ulaw: Path
    alaw: Path
    duration_ms: int
    has_beep: bool
    beep_time_ms: int | None
    beep_end_ms: int | None
    beep_hz: float | None


def default_cache_dir(profile: Profile, scale: float) -> Path:
    """Where benchmarks and tests keep a generated corpus between runs."""
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "predictive-dialer" / "amd-corpus" / f"{profile.name}-x{scale:g}"


def generate_corpus(
    outdir: Path, profile: Profile = HELD_OUT, scale: float = 1.0, workers: int = 2
) -> list[CorpusItem]:
    """Render the profile's corpus into `outdir`, unless the manifest there already matches."""
    plans = plan_corpus(scaled(profile, scale))
    digest = plan_digest(plans)
    manifest_path = outdir / MANIFEST
    if manifest_path.exists() and _manifest_digest(manifest_path) == digest:
        return load_corpus(outdir)
    outdir.mkdir(parents=True, exist_ok=True)
    with (
        tempfile.TemporaryDirectory(prefix="amd-corpus-") as scratch,
        ThreadPoolExecutor(max_workers=max(1, workers)) as pool,
    ):
        rendered = list(
            pool.map(lambda plan: render_item(plan, outdir, Path(scratch) / plan.item_id), plans)
        )
    entries = [_manifest_entry(plan, item) for plan, item in zip(plans, rendered, strict=True)]
    manifest = {
        "version": MANIFEST_VERSION,
        "profile": profile.name,
        "seed": profile.seed,
        "scale": scale,
        "plan_digest": digest,
        "items": entries,
    }
    partial = manifest_path.with_suffix(".tmp")
    partial.write_text(json.dumps(manifest, indent=1))
    partial.replace(manifest_path)  # written last and atomically: a present manifest means done
    return load_corpus(outdir)


def load_corpus(directory: Path) -> list[CorpusItem]:
    manifest = json.loads((directory / MANIFEST).read_text())
    return [
        CorpusItem(
            item_id=entry["id"],
            label=Label(entry["label"]),
            category=entry["category"],
            wav=directory / entry["files"]["wav"],
            ulaw=directory / entry["files"]["ulaw"],
            alaw=directory / entry["files"]["alaw"],
            duration_ms=entry["duration_ms"],
            has_beep=entry["has_beep"],
            beep_time_ms=entry["beep_time_ms"],
            beep_end_ms=entry["beep_end_ms"],
            beep_hz=entry["beep_hz"],
        )
        for entry in manifest["items"]
    ]


def _manifest_digest(path: Path) -> str | None:
    try:
        value = json.loads(path.read_text()).get("plan_digest")
    except (OSError, ValueError):
        return None
    return value if isinstance(value, str) else None


def _manifest_entry(plan: ItemPlan, item: RenderedItem) -> dict[str, object]:
    speech = [part for part in plan.parts if isinstance(part, Speech)]
    return {
        "id": plan.item_id,
        "label": plan.label.value,
        "category": plan.category,
        "files": item.files,
        "duration_ms": item.duration_ms,
        "has_beep": item.beep_start_ms is not None,
        "beep_time_ms": item.beep_start_ms,
        "beep_end_ms": item.beep_end_ms,
        "beep_hz": item.beep_hz,
        "first_speech_ms": item.first_speech_ms,
        "text": " / ".join(part.text for part in speech),
        "voice": speech[0].voice if speech else None,
        "peak_dbfs": round(plan.peak_dbfs, 1),
        "noise": None
        if plan.noise is None
        else {"kind": plan.noise.kind.value, "relative_db": round(plan.noise.relative_db, 1)},
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m dialer.amd.corpus", description=__doc__)
    parser.add_argument("outdir", type=Path)
    parser.add_argument("--profile", choices=sorted(PROFILES), default=HELD_OUT.name)
    parser.add_argument("--scale", type=float, default=1.0, help="fraction of the full item counts")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--force", action="store_true", help="regenerate even if cached")
    args = parser.parse_args(argv)
    if args.force and args.outdir.exists():
        shutil.rmtree(args.outdir)
    items = generate_corpus(args.outdir, PROFILES[args.profile], args.scale, args.workers)
    print(f"{len(items)} items in {args.outdir}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
