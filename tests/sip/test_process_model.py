"""How a worker process uses the adapter: threads, the 4-leg budget, stop and intruders."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

import pytest

from dialer.call_flow import AgentRef, AttemptResult, AttemptSpec, HandoffPolicy, run_attempt
from dialer.carrier import Scenario, SippCarrier
from dialer.telephony import NoFreeLeg, Outcome

from .agent_claimer import Claimer
from .conftest import CUSTOMER, Reporter, speak, trunk_to

pytestmark = pytest.mark.sip

Carrier = Callable[[Scenario], SippCarrier]


def test_two_attempts_with_agents_run_at_once_and_a_third_finds_no_leg(
    telephony: object, carrier: Carrier, audio_dir: Path
) -> None:
    customers, agents = carrier(Scenario.ANSWER_AND_WAIT), carrier(Scenario.ANSWER_AND_WAIT)
    message = speak(audio_dir, "short-message", "Sorry.")
    results: dict[str, AttemptResult] = {}
    both_bridged = threading.Barrier(3, timeout=20)

    class Reporting(Reporter):
        def progress(self, attempt_id, milestone, at):  # type: ignore[no-untyped-def]
            super().progress(attempt_id, milestone, at)
            if milestone == "agent_connected":
                both_bridged.wait()

    def run(name: str) -> None:
        spec = AttemptSpec(
            name,
            CUSTOMER,
            trunk_to(customers),
            ring_timeout=timedelta(seconds=15),
            max_talk=timedelta(seconds=1),
            handoff=HandoffPolicy(message),
        )
        claimer = Claimer([AgentRef(f"agent-{name}", f"sip:{name}@{agents.host_port}")])
        results[name] = run_attempt(spec, telephony, Reporting(), claimer=claimer)  # type: ignore[arg-type]

    threads = [threading.Thread(target=run, args=(n,)) for n in ("one", "two")]
    for thread in threads:
        thread.start()
    both_bridged.wait()  # now 4 legs are up: the process is full
    third = AttemptSpec("three", CUSTOMER, trunk_to(customers))
    with pytest.raises(NoFreeLeg):
        run_attempt(third, telephony, Reporter())  # type: ignore[arg-type]
    for thread in threads:
        thread.join(timeout=30)
    assert {r.outcome for r in results.values()} == {Outcome.ANSWERED}
    assert customers.invites_received() == 2  # the third attempt dialed nothing
    assert agents.invites_received() == 2


def test_stop_request_cancels_a_ringing_call_as_cancelled(
    telephony: object, carrier: Carrier
) -> None:
    sipp = carrier(Scenario.NEVER_ANSWERS)
    reporter = Reporter()
    spec = AttemptSpec("stopping", CUSTOMER, trunk_to(sipp), ring_timeout=timedelta(seconds=30))
    result: list[AttemptResult] = []
    thread = threading.Thread(
        target=lambda: result.append(run_attempt(spec, telephony, reporter))  # type: ignore[arg-type]
    )
    thread.start()
    deadline = time.monotonic() + 10
    while not reporter.progress_seen and time.monotonic() < deadline:
        time.sleep(0.05)
    telephony.request_stop(grace_seconds=5)  # type: ignore[attr-defined]
    thread.join(timeout=15)
    [outcome] = result
    assert outcome.outcome is Outcome.CANCELLED
    assert outcome.timeline.sip_status == 487
    assert len(sipp.wait_for_requests("CANCEL", 1)) == 1


def test_a_dialer_worker_refuses_incoming_invites(telephony: object, tmp_path: Path) -> None:
    port = telephony.sip_port  # type: ignore[attr-defined]
    stranger = SippCarrier(
        Scenario.UAC_INVITE_REFUSED, tmp_path, remote=f"127.0.0.1:{port}", calls=1
    ).start()
    try:
        assert stranger.wait(timeout=15) == 0  # sipp saw its INVITE refused with 403
    finally:
        stranger.stop()
