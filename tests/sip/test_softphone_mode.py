"""The adapter as a user agent (the base of `dialer softphone`): auto-answer, headers shown."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from dialer.telephony import LegAnswered, LegEnded, LegId, OriginateRequest, SipHeader

from .inbox_events import wait_for

pytestmark = pytest.mark.sip

ROOT = Path(__file__).resolve().parents[2]


def test_auto_answering_user_agent_shows_screen_pop_headers_and_exits_cleanly(
    telephony: object,
) -> None:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    probe = subprocess.Popen(
        [sys.executable, "-m", "tests.sip.softphone_probe"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    try:
        assert probe.stdout is not None
        # pjlib prints a banner to stdout before any log setting applies: skip to READY
        ready: list[str] = []
        for line in probe.stdout:
            if line.startswith("READY"):
                ready = line.split()
                break
        assert ready, "the probe never became ready"
        inbox = telephony.open_inbox()  # type: ignore[attr-defined]
        leg = LegId("softphone:agent")
        request = OriginateRequest(
            leg,
            f"sip:softphone@127.0.0.1:{ready[1]}",
            headers=(SipHeader("X-Contact-Id", "c-77"), SipHeader("X-Contact-Name", "Grace")),
        )
        telephony.originate(request, inbox)  # type: ignore[attr-defined]
        wait_for(inbox, LegAnswered, leg)
        time.sleep(0.5)
        telephony.hangup(leg)  # type: ignore[attr-defined]
        wait_for(inbox, LegEnded, leg)
        out, _ = probe.communicate(timeout=20)
    finally:
        if probe.poll() is None:
            probe.kill()
    events = [json.loads(line) for line in out.splitlines() if line.startswith("{")]
    assert [e["event"] for e in events] == ["incoming", "answered", "ended"]
    headers = dict(tuple(h) for h in events[0]["headers"])
    assert headers["X-Contact-Id"] == "c-77"
    assert headers["X-Contact-Name"] == "Grace"
    assert probe.returncode == 0  # shutdown in order, then os._exit(0): no abort
