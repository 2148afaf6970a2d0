"""Hold and resume from the agent console in headless Chromium, during a real call.

The agent signs in and goes ready on the page; a real worker dials a sipp carrier that answers,
the call is bridged to the agent's phone (`dialer softphone --auto-answer`, silent: no sound
card), and the agent clicks Hold, then Resume. What the carrier heard is captured off the
loopback interface: the music on hold while held, and none of it after resume.

Uses the browser fixtures of tests/conftest.py (one Playwright per test session)."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from campaigns.storage.db import Connection
from dialer.carrier import Scenario, SippCarrier
from dialer.hold_music import NOTES_HZ

from .agent_floor import OUTCOME, Floor
from .call_audio import SILENCE_RMS, band_share
from .console_page import ready_on_the_console
from .rtp_capture import RtpCapture, rms
from .softphone_process import SoftphoneProcess
from .workers_harness import enqueue, running_workers, wait_ended

pytestmark = [pytest.mark.sip, pytest.mark.usefixtures("service_env")]

Carrier = Callable[[Scenario], SippCarrier]
CALL_TIMEOUT_MS = 60_000


def test_an_agent_holds_and_resumes_a_real_call_from_the_console(
    db: Connection,
    service_env: dict[str, str],
    carrier: Carrier,
    tmp_path: Path,
    page: Page,
    artifacts: Path,
    agent_phone: SoftphoneProcess,
) -> None:
    customer = carrier(Scenario.ANSWER_AND_WAIT)
    floor = Floor.on(db, service_env["REDIS_URL"], customer)
    state = ready_on_the_console(page, floor, agent_phone)
    controls = page.locator("[data-live=call-controls]")
    expect(controls).to_be_hidden()  # only during a call

    with RtpCapture() as capture, running_workers(service_env, 2, tmp_path) as workers:
        [attempt] = floor.attempts("+12025550191")
        enqueue(workers.redis_url, [attempt])
        expect(state).to_have_text("on call", timeout=CALL_TIMEOUT_MS)
        expect(controls).to_be_visible()
        # The floor's campaign never records: no Record button to offer.
        expect(page.locator("[data-live=call-name]")).to_have_text("Ada")
        expect(page.locator("[data-action=call-record]")).to_be_hidden()
        deadline = time.monotonic() + 5
        while not (ports := customer.answered_media_ports()) and time.monotonic() < deadline:
            time.sleep(0.1)
        [port] = ports

        page.get_by_role("button", name="Hold").click()
        expect(page.get_by_role("button", name="Resume")).to_be_visible()
        expect(page.locator("[data-live=call-feature-state]")).to_contain_text("On hold")
        time.sleep(0.5)
        start = capture.packets_to(port)
        time.sleep(2.0)
        held = capture.audio_to(port, start, capture.packets_to(port))
        page.screenshot(path=str(artifacts / "console-call-on-hold.png"), full_page=True)

        page.get_by_role("button", name="Resume").click()
        expect(page.get_by_role("button", name="Hold")).to_be_visible()
        time.sleep(0.5)
        start = capture.packets_to(port)
        time.sleep(2.0)
        resumed = capture.audio_to(port, start, capture.packets_to(port))

        page.get_by_role("button", name="Hang up").click()
        expect(state).to_have_text("wrap up", timeout=30_000)
        expect(controls).to_be_hidden()
        row = wait_ended(db, [attempt])[attempt]

    assert row[OUTCOME] == "connected"
    assert band_share(held, NOTES_HZ) > 0.8, "the customer did not hear the music on hold"
    # The agent's phone has no microphone: after resume the customer hears the (silent) agent.
    assert rms(resumed) < SILENCE_RMS, "the music went on after resume"
