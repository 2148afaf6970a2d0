"""The human-readable form of `dialer bench amd`'s result."""

from __future__ import annotations

from typing import Any

from dialer.amd import Decision
from dialer.amd.corpus_plan import Label


def render_text(report: dict[str, Any]) -> str:
    r = report
    lines = [
        f"AMD {report.get('mode', '')} benchmark on {report['items']} items "
        f"({', '.join(f'{k}: {v}' for k, v in report.get('corpora', {}).items())})",
        f"  human_accuracy    {report['human_accuracy']} %  (to an agent; target >= 98)",
        f"  machine_accuracy  {report['machine_accuracy']} %  (target >= 90)",
        f"  decision_ms_p50   {r['decision_ms_p50']}  (humans {r['human_decision_ms_p50']}, "
        f"machines {r['machine_decision_ms_p50']}; target <= 2500)",
        f"  decision_ms_p95   {report['decision_ms_p95']}",
        f"  announcements as machine {r['announcement_as_machine']} %, silence as configured "
        f"{r['silence_as_configured']} %, noise as configured {r['noise_as_configured']} %",
        "",
        "  confusion (label -> decision)",
        "  " + f"{'':14}" + "".join(f"{d.value:>10}" for d in Decision),
    ]
    for label in Label:
        row = report["confusion"].get(label.value, {})
        lines.append(
            "  " + f"{label.value:14}" + "".join(f"{row.get(d.value, 0):>10}" for d in Decision)
        )
    beep = report["beep"]
    cpu = report["cpu_us_per_frame"]
    lines += [
        "",
        f"  beeps: {beep['detected']}/{beep['machines_with_beep']} detected on time "
        f"({beep['detection_rate']} %), {beep['false_or_misplaced']} false or misplaced, "
        f"start error <= {beep['start_error_ms_max']} ms",
        f"  CPU per 20 ms frame: {cpu['features']} us features + {cpu['classifier']} us classifier",
    ]
    load = report.get("runner_load")
    if load:
        lines.append(
            f"  audio thread with {load['calls']} calls at real-time pace: push p99 "
            f"{load['push_us_p99']} us (max {load['push_us_max']}), tick late p99 "
            f"{load['tick_late_us_p99']} us (max {load['tick_late_us_max']}; without AMD "
            f"{load['idle_tick_late_us_p99']}, max {load['idle_tick_late_us_max']})"
        )
    return "\n".join(lines)
