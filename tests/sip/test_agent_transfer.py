"""Blind and warm transfer to another agent on real calls, asked for as the console asks.

Everything is real: `dialer workers` (Celery, pjsua2), PostgreSQL and Redis, sipp as the
customer (speech), and two baresip agents with distinct tones: bob (1 kHz) has the call, cara
(1.5 kHz) gets it. What the customer hears is captured off the loopback interface.
"""

from __future__ import annotations

import time
from pathlib import Path

import numpy as np
import pytest

from campaigns.agents import AgentState
from campaigns.storage.db import Connection
from dialer.call_commands import CallCommand
from dialer.carrier import Scenario
from dialer.carrier.baresip import BaresipAgent
from dialer.hold_music import NOTES_HZ

from .agent_floor import AGENT_ID, OUTCOME, Floor
from .call_audio import AGENT_TONE_HZ, CARA_TONE_HZ, band_share, tone
from .call_features_harness import connected_call
from .full_process import notices
from .rtp_capture import RtpCapture
from .transfer_calls import Carrier, CustomerCall, decide, to_agent, transfer_row
from .workers_harness import running_workers, wait_ended

pytestmark = [pytest.mark.sip, pytest.mark.usefixtures("service_env")]


@pytest.mark.parametrize("warm", [False, True], ids=["blind", "warm"])
def test_a_transfer_to_another_agent_gives_them_the_customer_and_the_attempt(
    db: Connection,
    service_env: dict[str, str],
    carrier: Carrier,
    tmp_path: Path,
    warm: bool,
) -> None:
    customer = carrier(Scenario.ANSWER_WITH_DTMF)
    floor = Floor.on(db, service_env["REDIS_URL"], customer)
    consulting: np.ndarray | None = None
    with (
        BaresipAgent(tmp_path, tone(tmp_path, AGENT_TONE_HZ, 90), user="bob") as bob_phone,
        BaresipAgent(tmp_path, tone(tmp_path, CARA_TONE_HZ, 90), user="cara") as cara_phone,
    ):
        floor.agent("bob", bob_phone.uri)
        with RtpCapture() as capture, running_workers(service_env, 2, tmp_path) as workers:
            number = "+12025550191" if warm else "+12025550192"
            call = CustomerCall(connected_call(floor, customer, workers.redis_url, capture, number))
            cara = floor.agent("cara", cara_phone.uri)  # ready only now: bob had the call
            talking = call.stretch(1.5)
            action = CallCommand.CONSULT_AGENT if warm else CallCommand.TRANSFER_AGENT
            to_agent(workers.redis_url, call.attempt, cara.id, action)
            if warm:
                floor.wait_state("cara", AgentState.RESERVED, timeout=10)
                time.sleep(2.0)  # cara's phone answers; the agents talk, the customer waits
                consulting = call.stretch(2.0)
                assert floor.status("bob").state is AgentState.ON_CALL
                decide(workers.redis_url, call.attempt, CallCommand.TRANSFER_COMPLETE)
            floor.wait_state("cara", AgentState.ON_CALL, timeout=20)
            bob_after = floor.wait_state("bob", AgentState.WRAP_UP, timeout=10)
            after = call.stretch(3.0)
            cara_during = floor.status("cara")
            call.hang_up()
            row = wait_ended(db, [call.attempt])[call.attempt]
            floor.wait_state("cara", AgentState.WRAP_UP, timeout=10)
            told = notices(workers.redis_url, call.attempt)
    assert band_share(talking, (AGENT_TONE_HZ,)) > 0.8, "bob was not heard first"
    if consulting is not None:
        assert band_share(consulting, NOTES_HZ) > 0.8, "the customer did not hear the music"
        assert band_share(consulting, (AGENT_TONE_HZ, CARA_TONE_HZ)) < 0.05, "agents heard"
    assert band_share(after, (CARA_TONE_HZ,)) > 0.8, "the customer does not hear cara"
    assert band_share(after, (AGENT_TONE_HZ,)) < 0.05, "the customer still hears bob"
    assert band_share(after, NOTES_HZ) < 0.05, "the customer still hears the music on hold"
    # bob's wrap-up is of this call, and his history says he transferred it.
    assert (bob_after.attempt_id, bob_after.reason) == (call.attempt, "transferred")
    assert db.execute(
        "SELECT reason FROM agent_state_history WHERE agent_id = %s AND state = 'wrap_up'"
        " AND attempt_id = %s",
        (bob_after.agent_id, call.attempt),
    ).fetchall() == [("transferred",)]
    assert cara_during.attempt_id == call.attempt
    # The attempt is cara's: her agent id, her disposition to record.
    assert row[OUTCOME] == "connected" and row[AGENT_ID] == cara.id
    to, _, outcome = transfer_row(db, call.attempt)
    assert (to, outcome) == (cara.display_name, "answered")
    assert f"Transferred to {cara.display_name}" in told


def test_a_transfer_to_an_agent_no_longer_ready_gives_the_customer_back(
    db: Connection,
    service_env: dict[str, str],
    carrier: Carrier,
    tmp_path: Path,
) -> None:
    customer = carrier(Scenario.ANSWER_WITH_DTMF)
    floor = Floor.on(db, service_env["REDIS_URL"], customer)
    with BaresipAgent(tmp_path, tone(tmp_path, AGENT_TONE_HZ, 60), user="bob") as bob_phone:
        floor.agent("bob", bob_phone.uri)
        with RtpCapture() as capture, running_workers(service_env, 2, tmp_path) as workers:
            call = CustomerCall(
                connected_call(floor, customer, workers.redis_url, capture, "+12025550193")
            )
            cara = floor.agent("cara", "sip:cara@127.0.0.1:9", ready=False)  # paused
            to_agent(workers.redis_url, call.attempt, cara.id, CallCommand.TRANSFER_AGENT)
            time.sleep(1.0)
            back = call.stretch(2.0)
            assert floor.status("bob").state is AgentState.ON_CALL
            call.hang_up()
            row = wait_ended(db, [call.attempt])[call.attempt]
            told = notices(workers.redis_url, call.attempt)
    assert band_share(back, (AGENT_TONE_HZ,)) > 0.8, "the customer is not back with bob"
    assert band_share(back, NOTES_HZ) < 0.05, "the customer still hears the music on hold"
    assert row[AGENT_ID] != cara.id
    assert transfer_row(db, call.attempt)[2] == "not_ready"
    assert any("is no longer ready: the customer is back with you" in n for n in told), told
