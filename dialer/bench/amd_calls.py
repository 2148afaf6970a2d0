"""`dialer bench amd-calls`: answering-machine detection scored over real SIP calls.

Each corpus item is one call: a sipp carrier answers and plays the item's mu-law file over RTP
(then silence, as a real line keeps sending), the pjsua2 adapter taps the audio into the AMD
runner and the call flow acts on the verdict exactly as a worker does (machines hung up, people
to "talk" for a moment). Decision times are wall-clock from the answer as the attempt records
them: media set-up, jitter buffer and the analysis thread are all in them, which the offline
bench (`dialer bench amd --offline`) cannot see.
"""

from __future__ import annotations

import json
import shutil
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

import click

from dialer.amd import AmdDecided, AnalysisRunner, Cause
from dialer.amd.corpus import CorpusItem, default_cache_dir, generate_corpus
from dialer.amd.corpus_plan import PROFILES
from dialer.amd.settings import settings_as_dict
from dialer.bench.amd import EVALUATION_PROFILES, parse_overrides
from dialer.bench.amd_eval import ItemResult, summarize
from dialer.call_flow import AttemptResult, AttemptSpec, Milestone, SystemClock, run_attempt
from dialer.call_flow.amd_policy import AmdPolicy
from dialer.call_flow.detection import RunnerDetector
from dialer.carrier.sipp import Scenario, SippCarrier, make_speech_audio
from dialer.telephony import E164, NoFreeLeg, Telephony, TrunkConfig
from dialer.telephony.endpoint_config import EndpointConfig
from dialer.telephony.ports import free_udp_port

GREETING_FILE = "greeting.ulaw"
# A line keeps sending after the greeting: the detector times silence from frames.
TRAILING_SILENCE = b"\xff" * 8000 * 12
CALLER_ID = E164("+14155550100")
CALLED = E164("+442079460000")
# A person's call is hung up this long after the verdict: the bench needs no conversation.
TALK = timedelta(seconds=0.2)


@dataclass(frozen=True)
class CallResult:
    item: CorpusItem
    result: AttemptResult | None
    error: str = ""


class _Reporter:
    def progress(self, attempt_id: str, milestone: Milestone, at: object) -> None:
        pass

    def finished(self, result: AttemptResult) -> None:
        pass


def call_item(
    item: CorpusItem,
    telephony: Telephony,
    detector: RunnerDetector,
    policy: AmdPolicy,
    workdir: Path,
    speech: Path,
) -> CallResult:
    workdir.mkdir(parents=True, exist_ok=True)
    (workdir / GREETING_FILE).write_bytes(Path(item.ulaw).read_bytes() + TRAILING_SILENCE)
    shutil.copy(speech, workdir / speech.name)  # sipp's start makes one otherwise (espeak-ng)
    carrier = SippCarrier(Scenario.ANSWER_GREETING, workdir).start()
    try:
        trunk = TrunkConfig("sipp", carrier.uri_template, CALLER_ID)
        spec = AttemptSpec(
            f"amd-{item.item_id}",
            CALLED,
            trunk,
            ring_timeout=timedelta(seconds=15),
            max_talk=TALK,
            amd=policy,
        )
        for _ in range(50):  # the process's 4 legs are shared by the bench's threads
            try:
                return CallResult(
                    item, run_attempt(spec, telephony, _Reporter(), detector=detector)
                )
            except NoFreeLeg:
                time.sleep(0.2)
            except Exception as error:  # noqa: BLE001 - the bench records it and goes on
                return CallResult(item, None, repr(error))
        return CallResult(item, None, "no free leg")
    finally:
        carrier.stop()


def as_item_result(call: CallResult) -> ItemResult | None:
    result = call.result
    if result is None:
        return None
    tl = result.timeline
    if tl.amd_decision is None or tl.amd_decided_at is None or tl.answered_at is None:
        return None
    try:
        cause = Cause(tl.amd_cause)
    except ValueError:  # "no verdict": the detector said nothing before its deadline
        cause = Cause.TOO_LONG
    at_ms = round((tl.amd_decided_at - tl.answered_at).total_seconds() * 1000)
    decided = AmdDecided(tl.amd_decision, cause, at_ms, 0, 0)
    return ItemResult(call.item, decided, None, 0)


def run_calls(items: list[CorpusItem], policy: AmdPolicy, parallel: int) -> dict[str, Any]:
    from dialer.telephony.pjsua2_adapter import Pjsua2Telephony  # the one pjsua2 module

    # Held: the bench starts a sipp per call for minutes, never inside this endpoint's ports.
    config = EndpointConfig(
        sip_port=free_udp_port(hold=True), rtp_port=free_udp_port(block=16, hold=True)
    )
    telephony = Pjsua2Telephony.start(config)
    runner = AnalysisRunner(threads=1).start()
    detector = RunnerDetector(telephony, runner, SystemClock())
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="amd-calls-") as scratch:
        root = Path(scratch)
        speech = make_speech_audio(root / "speech")
        lock = threading.Lock()
        done: list[CallResult] = []

        def one(item: CorpusItem) -> None:
            call = call_item(item, telephony, detector, policy, root / item.item_id, speech)
            with lock:
                done.append(call)

        with ThreadPoolExecutor(max_workers=parallel) as pool:
            list(pool.map(one, items))
    elapsed = time.monotonic() - started
    runner.stop(timeout_s=2)
    scored = [r for r in (as_item_result(c) for c in done) if r is not None]
    report = summarize(scored, policy.settings)
    report.pop("beep", None)  # hang-up policy: no beep wait here (tests/sip/test_amd_calls.py)
    report["mode"] = "calls"
    report["calls"] = len(items)
    report["calls_failed"] = [
        {"id": c.item.item_id, "error": c.error or "no verdict recorded"}
        for c in done
        if as_item_result(c) is None
    ]
    report["no_verdict_in_time"] = sum(
        1 for c in done if c.result is not None and c.result.timeline.amd_cause == "no verdict"
    )
    report["parallel_calls"] = parallel
    report["seconds"] = round(elapsed, 1)
    report["settings"] = settings_as_dict(policy.settings)
    return {"report": report, "telephony": telephony}


def _sample(items: list[CorpusItem], limit: int | None) -> list[CorpusItem]:
    """Every label in proportion when only ``limit`` items are called (sorted by id: stable)."""
    if limit is None or limit >= len(items):
        return items
    ordered = sorted(items, key=lambda i: i.item_id)
    step = len(ordered) / limit
    return [ordered[int(n * step)] for n in range(limit)]


@click.command("amd-calls")
@click.option("--json", "as_json", is_flag=True, help="Print the full result as JSON.")
@click.option(
    "--profile",
    "profiles",
    multiple=True,
    type=click.Choice(sorted(PROFILES)),
    help="Corpus profile(s) (default: the evaluation profiles).",
)
@click.option(
    "--scale", type=float, default=0.25, show_default=True, help="Fraction of each profile."
)
@click.option("--limit", type=int, help="Call at most this many items (spread over labels).")
@click.option(
    "--parallel", type=int, default=3, show_default=True, help="Calls at once (4 legs/process)."
)
@click.option("--set", "overrides", multiple=True, metavar="FIELD=VALUE")
@click.option("--output", type=click.Path(path_type=Path, dir_okay=False))
def amd_calls_command(
    *,
    as_json: bool,
    profiles: tuple[str, ...],
    scale: float,
    limit: int | None,
    parallel: int,
    overrides: tuple[str, ...],
    output: Path | None,
) -> None:
    """Score AMD over real SIP calls: sipp plays the generated corpus to the pjsua2 adapter."""
    if not 1 <= parallel <= 3:
        raise click.BadParameter("1-3: each call is a leg, a process has 4")
    items: list[CorpusItem] = []
    names = profiles or EVALUATION_PROFILES
    for name in names:
        profile = PROFILES[name]
        items += generate_corpus(default_cache_dir(profile, scale), profile, scale)
    items = _sample(items, limit)
    outcome = run_calls(items, AmdPolicy(settings=parse_overrides(overrides)), parallel)
    report = outcome["report"]
    report["corpora"] = {"profiles": list(names), "scale": scale, "called": len(items)}
    text = json.dumps(report, indent=2)
    if output is not None:
        output.parent.mkdir(parents=True, exist_ok=True)
        output.write_text(text + "\n")
    if as_json:
        click.echo(text)
    else:
        keys = ("human_accuracy", "machine_accuracy", "decision_ms_p50", "decision_ms_p95")
        click.echo(json.dumps({k: report.get(k) for k in keys} | {"calls": len(items)}))
    # pjsua2 must be destroyed in order and the process ended with os._exit (PJSUA2_NOTES.md),
    # which flushes nothing: flush first.
    sys.stdout.flush()
    outcome["telephony"].shutdown(exit_process=True)
