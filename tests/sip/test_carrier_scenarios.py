"""The packaged carrier scenarios load in the installed sipp, and the random mix is a mix."""

from __future__ import annotations

import threading
import time
from collections import Counter
from datetime import timedelta
from pathlib import Path

import pytest

from dialer.call_flow import AttemptResult, AttemptSpec, run_attempt
from dialer.carrier import Scenario, SippCarrier
from dialer.telephony import NoFreeLeg, Outcome

from .conftest import CUSTOMER, Reporter, trunk_to
from .rtp_pcap import write_speech_then_comfort_noise

pytestmark = pytest.mark.sip

UAS_SCENARIOS = [s for s in Scenario if not s.value.startswith("uac_")]


def test_every_carrier_scenario_is_accepted_by_sipp(tmp_path: Path) -> None:
    # sipp exits at once when a scenario does not parse (e.g. a variable used only once)
    (tmp_path / "greeting.ulaw").write_bytes(b"\xff" * 8000)  # what answer_greeting plays
    # and answer_comfort_noise's capture: 1 s of silence, then comfort noise
    write_speech_then_comfort_noise(tmp_path / "greeting.pcap", b"\xff" * 8000, 60, 1.0)
    carriers: list[SippCarrier] = []
    try:
        for scenario in UAS_SCENARIOS:  # started one by one: a failure still stops the others
            carriers.append(SippCarrier(scenario, tmp_path).start())
        time.sleep(1.5)
        broken = [c.scenario_path.name for c in carriers if not c.running()]
    finally:
        for carrier in carriers:
            carrier.stop()
    assert broken == []


def _when_a_leg_is_free(spec: AttemptSpec, telephony: object) -> AttemptResult:
    """Run the attempt, waiting while the process has no free leg, as the scheduler does.

    A leg hung up locally keeps pjsua's call slot for a moment after it ends (the adapter's
    linger), so three lines on a 4-slot process can briefly find the budget full.
    """
    deadline = time.monotonic() + 60
    while True:
        try:
            return run_attempt(spec, telephony, Reporter())  # type: ignore[arg-type]
        except NoFreeLeg:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)


def test_the_random_mix_gives_answers_and_failures_over_a_few_calls(
    telephony: object, tmp_path: Path
) -> None:
    """Three lines, twelve calls: the mix must not be all one outcome (chance= works)."""
    with SippCarrier(Scenario.MIX, tmp_path) as sipp:
        outcomes: Counter[Outcome] = Counter()
        lock = threading.Lock()

        def line(names: list[str]) -> None:
            for name in names:
                spec = AttemptSpec(
                    name, CUSTOMER, trunk_to(sipp), ring_timeout=timedelta(seconds=15),
                    max_talk=timedelta(seconds=1),
                )  # fmt: skip
                result = _when_a_leg_is_free(spec, telephony)
                with lock:
                    outcomes[result.outcome] += 1

        names = [f"mix-{i}" for i in range(12)]
        threads = [threading.Thread(target=line, args=(names[i::3],)) for i in range(3)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=240)
    assert sum(outcomes.values()) == 12
    assert len(outcomes) >= 2, outcomes
    assert set(outcomes) <= {Outcome.ANSWERED, Outcome.BUSY, Outcome.NO_ANSWER, Outcome.REJECTED}
