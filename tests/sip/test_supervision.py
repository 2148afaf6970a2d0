"""Supervisor listen, whisper and barge on real calls, asked for as the wallboard asks.

Everything is real: `dialer workers` (Celery, pjsua2), PostgreSQL and Redis, sipp as the
carrier (the customer speaks), baresip as the agent's phone (a 1 kHz tone) and as the
supervisor's softphone (a 2.4 kHz tone). Every RTP packet on the loopback is captured, so what
each party heard is cut per mode from the packets sent to its own media port: the customer's
(sipp's), the agent's and the supervisor's (baresip's).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pytest

from campaigns.agents import AgentState
from campaigns.storage.db import Connection
from dialer import call_commands
from dialer.bootstrap import redis_client
from dialer.call_commands import CallCommand
from dialer.carrier import Scenario, SippCarrier
from dialer.carrier.baresip import BaresipAgent

from .agent_floor import AGENT_ID, OUTCOME, Floor
from .call_audio import AGENT_TONE_HZ, SETTLE_S, band_share, tone
from .call_features_harness import connected_call
from .full_process import full_process, notices
from .rtp_capture import RtpCapture, rms
from .workers_harness import running_workers, wait_ended

pytestmark = [pytest.mark.sip, pytest.mark.usefixtures("service_env")]

Carrier = Callable[[Scenario], SippCarrier]
SUPERVISOR_TONE_HZ = 2400.0
# A tone heard by someone carries a large share of what they hear; one not heard, next to none
# (speech has little energy within 40 Hz of either tone).
HEARD, NOT_HEARD = 0.2, 0.05


class Ears:
    """What one party hears: the audio sent to its phone's media port(s)."""

    def __init__(self, capture: RtpCapture, ports: range | list[int]) -> None:
        self.capture, self.ports = capture, list(ports)

    def marks(self) -> list[int]:
        return [self.capture.packets_to(port) for port in self.ports]

    def since(self, marks: list[int]) -> np.ndarray:
        # The one port of the range that carries the call's RTP (RTCP decodes to nothing).
        heard = [
            self.capture.audio_to(port, start, self.capture.packets_to(port))
            for port, start in zip(self.ports, marks, strict=True)
        ]
        return max(heard, key=lambda samples: samples.size)


def without(samples: np.ndarray, hz: float, width: float = 60.0) -> np.ndarray:
    """The signal with the band around ``hz`` taken out: what is left besides a tone."""
    spectrum = np.fft.rfft(samples.astype(np.float64))
    bins = np.fft.rfftfreq(samples.size, 1 / 8000)
    spectrum[np.abs(bins - hz) <= width] = 0
    return np.fft.irfft(spectrum, samples.size)


def supervise(redis_url: str, attempt: int, command: CallCommand, phone: str) -> None:
    """As the wallboard's buttons do (the dashboard looks up the supervisor's softphone)."""
    call_commands.send(
        redis_client(redis_url), attempt, command, "user supervisor", datetime.now(UTC),
        phone=phone,
    )  # fmt: skip


def stretches(parties: dict[str, Ears], seconds: float = 2.0) -> dict[str, np.ndarray]:
    time.sleep(SETTLE_S)
    marks = {name: ears.marks() for name, ears in parties.items()}
    time.sleep(seconds)
    return {name: parties[name].since(mark) for name, mark in marks.items()}


def test_listen_whisper_and_barge_let_each_party_hear_exactly_whom_they_should(
    db: Connection,
    service_env: dict[str, str],
    carrier: Carrier,
    tmp_path: Path,
) -> None:
    customer = carrier(Scenario.ANSWER_WITH_DTMF)
    floor = Floor.on(db, service_env["REDIS_URL"], customer)
    with (
        BaresipAgent(tmp_path, tone(tmp_path, AGENT_TONE_HZ, 60), user="bob") as bob_phone,
        BaresipAgent(tmp_path, tone(tmp_path, SUPERVISOR_TONE_HZ, 60), user="sue") as sue_phone,
    ):
        bob = floor.agent("bob", bob_phone.uri)
        with RtpCapture() as capture, running_workers(service_env, 2, tmp_path) as workers:
            call = connected_call(floor, customer, workers.redis_url, capture, "+12025550191")
            parties = {
                "customer": Ears(capture, [call.port]),
                "agent": Ears(capture, bob_phone.rtp_ports),
                "supervisor": Ears(capture, sue_phone.rtp_ports),
            }
            before = stretches(parties, 1.5)
            heard = {}
            for command in (CallCommand.LISTEN, CallCommand.WHISPER, CallCommand.BARGE):
                supervise(workers.redis_url, call.attempt, command, sue_phone.uri)
                if command is CallCommand.LISTEN:
                    time.sleep(1.0)  # the worker rings sue's phone; baresip answers at once
                heard[command] = stretches(parties)
            supervise(workers.redis_url, call.attempt, CallCommand.SUPERVISE_LEAVE, "")
            left = stretches(parties, 1.5)
            bob_state = floor.status("bob").state
            # Back on a new leg, then the call ends under the supervisor: their leg goes too.
            supervise(workers.redis_url, call.attempt, CallCommand.LISTEN, sue_phone.uri)
            time.sleep(1.0)
            back = stretches({"supervisor": parties["supervisor"]}, 1.0)["supervisor"]
            call.hang_up()
            row = wait_ended(db, [call.attempt])[call.attempt]
            after_the_call = stretches({"supervisor": parties["supervisor"]}, 1.0)["supervisor"]
            told = notices(workers.redis_url, call.attempt)
    assert row[OUTCOME] == "connected" and row[AGENT_ID] == bob.id
    assert bob_state is AgentState.ON_CALL, "the supervisor disturbed the agent"
    speech_at_agent = rms(before["agent"])
    assert speech_at_agent > 60, "the agent did not hear the customer to begin with"

    listen = heard[CallCommand.LISTEN]
    assert band_share(listen["supervisor"], (AGENT_TONE_HZ,)) > HEARD, "sup: no agent"
    assert rms(without(listen["supervisor"], AGENT_TONE_HZ)) > 0.3 * speech_at_agent, (
        "listening, the supervisor did not hear the customer"
    )
    assert band_share(listen["agent"], (SUPERVISOR_TONE_HZ,)) < NOT_HEARD
    assert band_share(listen["customer"], (SUPERVISOR_TONE_HZ,)) < NOT_HEARD
    assert band_share(listen["customer"], (AGENT_TONE_HZ,)) > 0.8, "listening cut the agent"

    whisper = heard[CallCommand.WHISPER]
    assert band_share(whisper["agent"], (SUPERVISOR_TONE_HZ,)) > HEARD, "agent: no whisper"
    assert band_share(whisper["customer"], (SUPERVISOR_TONE_HZ,)) < NOT_HEARD, (
        "the customer heard the whisper"
    )
    assert band_share(whisper["supervisor"], (AGENT_TONE_HZ,)) > HEARD

    barge = heard[CallCommand.BARGE]
    assert band_share(barge["customer"], (SUPERVISOR_TONE_HZ,)) > HEARD, "barge not heard"
    assert band_share(barge["customer"], (AGENT_TONE_HZ,)) > HEARD, "barge cut the agent"
    assert band_share(barge["agent"], (SUPERVISOR_TONE_HZ,)) > HEARD

    assert band_share(left["customer"], (AGENT_TONE_HZ,)) > 0.8, "leaving disturbed the call"
    assert band_share(left["customer"], (SUPERVISOR_TONE_HZ,)) < NOT_HEARD
    assert band_share(left["agent"], (SUPERVISOR_TONE_HZ,)) < NOT_HEARD
    assert rms(left["supervisor"]) == 0, "the supervisor still hears the call after leaving"
    assert band_share(back, (AGENT_TONE_HZ,)) > HEARD, "the supervisor could not come back"
    assert after_the_call.size == 0, "the supervisor's leg outlived the call"
    assert any(n.startswith("Listening") for n in told), told
    assert any(n == "The supervisor left the call" for n in told), told


def test_with_every_leg_of_the_process_busy_listening_is_refused_without_touching_the_calls(
    db: Connection,
    service_env: dict[str, str],
    carrier: Carrier,
    tmp_path: Path,
) -> None:
    customer = carrier(Scenario.ANSWER_WITH_DTMF)
    floor = Floor.on(db, service_env["REDIS_URL"], customer)
    mic = tone(tmp_path, AGENT_TONE_HZ, 30)
    sue_mic = tone(tmp_path, SUPERVISOR_TONE_HZ, 30)
    with (
        BaresipAgent(tmp_path, sue_mic, user="sue") as sue_phone,
        RtpCapture() as capture,
        full_process(floor, service_env, tmp_path, mic, ("+12025550192", "+12025550193")) as full,
    ):
        first = full.attempts[0]
        sue_heard = Ears(capture, sue_phone.rtp_ports)
        marks = sue_heard.marks()
        supervise(full.workers.redis_url, first, CallCommand.LISTEN, sue_phone.uri)
        told = full.wait_for_notice(first)
        states = full.agent_states()
        sue_got = sue_heard.since(marks)
        full.hang_up()
        rows = wait_ended(db, full.attempts)
    assert states == (AgentState.ON_CALL, AgentState.ON_CALL), "the refusal disturbed a call"
    assert all(row[OUTCOME] == "connected" for row in rows.values())
    assert sue_got.size == 0, "the supervisor's phone was rung"
    [notice] = told
    assert notice.startswith("listen refused: no free line on this worker"), notice
