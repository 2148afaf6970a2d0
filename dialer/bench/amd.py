"""`dialer bench amd`: how well answering-machine detection does on the generated corpus.

Offline mode feeds the corpus files straight to the classifier (decoded from G.711 as a trunk would
deliver them), optionally at several frame phases (`--phases`). The real-call bench is
`dialer bench amd-calls` (sipp plays the same files over RTP to the pjsua2 adapter). Accuracy is
scored on the evaluation profiles (voices never used for tuning); see docs/amd.md for how the
defaults were chosen.
"""

from __future__ import annotations

import json
import platform
from dataclasses import fields, replace
from pathlib import Path
from typing import Any

import click

from dialer.amd import AmdSettings, BeepSettings
from dialer.amd.corpus import CorpusItem, default_cache_dir, generate_corpus, load_corpus
from dialer.amd.corpus_plan import FRESH, HELD_OUT, PROFILES
from dialer.amd.settings import settings_as_dict
from dialer.bench.amd_eval import classify, measure, summarize
from dialer.bench.amd_report import render_text
from dialer.bench.amd_runner_load import runner_load
from dialer.bench.amd_sources import (
    FRAME_SAMPLES,
    Codec,
    FrameSource,
    OfflineSource,
    phased_sources,
)

EVALUATION_PROFILES = (HELD_OUT.name, FRESH.name)
# Long enough for every loaded call to reach a verdict and wait for its beep.
LOAD_SECONDS = 6.0


def run_offline(
    corpora: dict[str, list[CorpusItem]],
    sources: dict[str, FrameSource],
    settings: AmdSettings,
    beep_settings: BeepSettings,
) -> dict[str, Any]:
    """Score every corpus through every labelled source (frame phase), and all of them together
    (the headline figures: with several phases, each item counts once per phase)."""
    measured_all = []
    per_corpus: dict[str, Any] = {}
    measure_us: list[float] = []
    for name, items in corpora.items():
        for label, source in sources.items():
            measured, us = measure(items, source)
            measure_us.append(us)
            results, _ = classify(measured, settings, beep_settings)
            per_corpus[f"{name} {label}".strip()] = _headline(summarize(results, settings))
            measured_all.extend(measured)
    results, classify_us = classify(measured_all, settings, beep_settings)
    report = summarize(results, settings)
    report["per_corpus"] = per_corpus
    report["cpu_us_per_frame"] = {
        "features": round(sum(measure_us) / len(measure_us), 1) if measure_us else None,
        "classifier": classify_us,
        "machine": platform.processor() or platform.machine(),
    }
    report["settings"] = settings_as_dict(settings)
    report["beep_settings"] = settings_as_dict(beep_settings)
    return report


def _headline(summary: dict[str, Any]) -> dict[str, Any]:
    keys = ("items", "human_accuracy", "machine_accuracy", "decision_ms_p50", "decision_ms_p95")
    return {key: summary[key] for key in keys} | {"beep": summary["beep"]}


def parse_overrides(pairs: tuple[str, ...]) -> AmdSettings:
    """`--set greeting_ms=1800` style overrides of the default settings, type-checked by field."""
    settings = AmdSettings()
    types = {f.name: type(getattr(settings, f.name)) for f in fields(settings)}
    changes: dict[str, Any] = {}
    for pair in pairs:
        name, _, value = pair.partition("=")
        if name not in types or not value:
            raise click.BadParameter(f"{pair!r}: expected FIELD=VALUE with one of {sorted(types)}")
        changes[name] = types[name](value)
    return replace(settings, **changes)


@click.command("amd")
@click.option("--offline", is_flag=True, help="Feed the corpus files straight to the classifier.")
@click.option("--json", "as_json", is_flag=True, help="Print the full result as JSON.")
@click.option(
    "--corpus",
    "corpus_dir",
    type=click.Path(path_type=Path, file_okay=False),
    help="Use this generated corpus instead of the evaluation profiles.",
)
@click.option(
    "--profile",
    "profiles",
    multiple=True,
    type=click.Choice(sorted(PROFILES)),
    help="Corpus profile(s) to generate and score (default: the evaluation profiles).",
)
@click.option(
    "--scale", type=float, default=1.0, show_default=True, help="Fraction of each profile's items."
)
@click.option(
    "--codec",
    type=click.Choice([c.value for c in Codec]),
    default=Codec.ULAW.value,
    show_default=True,
    help="Which of the corpus files to decode and feed.",
)
@click.option(
    "--set",
    "overrides",
    multiple=True,
    metavar="FIELD=VALUE",
    help="Override an AmdSettings field.",
)
@click.option(
    "--load-calls",
    type=int,
    default=8,
    show_default=True,
    help="Calls pushed at real-time pace to measure the audio-thread cost (0: skip).",
)
@click.option(
    "--phases",
    type=click.IntRange(1, FRAME_SAMPLES),
    default=1,
    show_default=True,
    help="Score each item at this many frame phases spread over 20 ms (a call's frames fall "
    "anywhere in the audio; 8: every 2.5 ms).",
)
@click.option(
    "--output",
    type=click.Path(path_type=Path, dir_okay=False),
    help="Also write the JSON result to this file.",
)
def amd_command(
    *,
    offline: bool,
    as_json: bool,
    corpus_dir: Path | None,
    profiles: tuple[str, ...],
    scale: float,
    codec: str,
    overrides: tuple[str, ...],
    load_calls: int,
    phases: int,
    output: Path | None,
) -> None:
    """Score answering-machine detection on the generated greeting corpus."""
    if not offline:
        raise click.UsageError(
            "this command scores the corpus offline (--offline); for real calls (sipp playing "
            "the corpus to the pjsua2 adapter) run `dialer bench amd-calls`"
        )
    settings = parse_overrides(overrides)
    if corpus_dir is not None:
        corpora = {corpus_dir.name: load_corpus(corpus_dir)}
    else:
        corpora = {
            name: generate_corpus(default_cache_dir(PROFILES[name], scale), PROFILES[name], scale)
            for name in profiles or EVALUATION_PROFILES
        }
    sources: dict[str, FrameSource] = dict(phased_sources(Codec(codec), phases))
    report = run_offline(corpora, sources, settings, BeepSettings())
    report["mode"] = "offline"
    report["codec"] = codec
    report["phases"] = phases
    report["corpora"] = {name: len(items) for name, items in corpora.items()}
    if load_calls > 0:
        source = OfflineSource(Codec(codec))
        items = [item for group in corpora.values() for item in group][:load_calls]
        audio = [list(source.frames(item)) for item in items]
        report["runner_load"] = runner_load(audio, LOAD_SECONDS)
    text = json.dumps(report, indent=2, sort_keys=False)
    if output is not None:
        output.parent.mkdir(parents=True, exist_ok=True)
        output.write_text(text + "\n")
    click.echo(text if as_json else render_text(report))
