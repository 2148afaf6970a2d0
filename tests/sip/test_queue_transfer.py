"""Blind transfer of an outbound call to an inbound queue, on real calls, asked for as the
console asks.

Everything is real: `dialer workers` and `dialer inbound serve` (pjsua2 in both), PostgreSQL
and Redis, sipp as the customer (speech), and two baresip agents with distinct tones: bob
(1 kHz) has the call, cara (1.5 kHz) is the queue's agent who gets it. The worker's leg into the
queue reaches the inbound process as a carrier's call would; what the customer hears is
captured off the loopback interface.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime
from pathlib import Path

import pytest

from campaigns.agents import AgentState
from campaigns.storage import inbound_store
from campaigns.storage.db import Connection
from dialer import call_commands
from dialer.bootstrap import redis_client
from dialer.call_commands import CallCommand
from dialer.carrier import Scenario
from dialer.carrier.baresip import BaresipAgent
from dialer.hold_music import NOTES_HZ
from dialer.telephony.ports import free_udp_port

from .agent_floor import AGENT_ID, OUTCOME, Floor
from .call_audio import AGENT_TONE_HZ, CARA_TONE_HZ, band_share, tone
from .call_features_harness import connected_call
from .full_process import full_process, notices
from .inbound_harness import caller, running_inbound
from .rtp_capture import RtpCapture
from .transfer_calls import Carrier, CustomerCall, transfer_row
from .workers_harness import running_workers, wait_ended

pytestmark = [pytest.mark.sip, pytest.mark.usefixtures("service_env")]

DID = "+18005550100"


def to_queue(redis_url: str, attempt: int, queue_id: int) -> None:
    """As the console's Transfer to queue (after the dashboard's check of the queue)."""
    call_commands.send(
        redis_client(redis_url),
        attempt,
        CallCommand.TRANSFER_QUEUE,
        "agent test",
        datetime.now(UTC),
        queue_id=queue_id,
    )


def test_a_customer_transferred_to_a_queue_reaches_its_agent_and_bob_goes_to_wrap_up(
    db: Connection,
    service_env: dict[str, str],
    carrier: Carrier,
    tmp_path: Path,
) -> None:
    customer = carrier(Scenario.ANSWER_WITH_DTMF)
    floor = Floor.on(db, service_env["REDIS_URL"], customer)
    queue = inbound_store.add_queue(db, "Help line", floor.campaign.id, [DID])
    number = "+12025550194"
    with (
        BaresipAgent(tmp_path, tone(tmp_path, AGENT_TONE_HZ, 90), user="bob") as bob_phone,
        BaresipAgent(tmp_path, tone(tmp_path, CARA_TONE_HZ, 90), user="cara") as cara_phone,
        running_inbound(service_env, tmp_path) as inbound,
    ):
        floor.agent("bob", bob_phone.uri)
        env = {**service_env, "DIALER_INBOUND_ADDRESS": inbound.address}
        with RtpCapture() as capture, running_workers(env, 2, tmp_path) as workers:
            call = CustomerCall(connected_call(floor, customer, workers.redis_url, capture, number))
            talking = call.stretch(1.5)
            cara = floor.agent("cara", cara_phone.uri)  # ready only now: bob had the call
            to_queue(workers.redis_url, call.attempt, queue)
            bob_after = floor.wait_state("bob", AgentState.WRAP_UP, timeout=10)
            cara_during = floor.wait_state("cara", AgentState.ON_CALL, timeout=20)
            after = call.stretch(3.0)
            call.hang_up()
            row = wait_ended(db, [call.attempt])[call.attempt]
            floor.wait_state("cara", AgentState.WRAP_UP, timeout=10)
            told = notices(workers.redis_url, call.attempt)
        [inbound_row] = db.execute(
            "SELECT id, outcome, agent_id, caller_number, transferred_attempt_id, queue_id"
            " FROM inbound_calls"
        ).fetchall()
    assert band_share(talking, (AGENT_TONE_HZ,)) > 0.8, "bob was not heard first"
    assert band_share(after, (CARA_TONE_HZ,)) > 0.8, "the customer does not hear cara"
    assert band_share(after, (AGENT_TONE_HZ,)) < 0.05, "the customer still hears bob"
    assert band_share(after, NOTES_HZ) < 0.05, "the customer still hears the music"
    # bob transferred it: wrap-up of this call with the reason; the attempt stays his.
    assert (bob_after.attempt_id, bob_after.reason) == (call.attempt, "transferred")
    assert row[OUTCOME] == "connected" and row[AGENT_ID] == bob_after.agent_id
    to, _, outcome = transfer_row(db, call.attempt)
    assert (to, outcome) == ("queue Help line", "answered")
    assert "Transferred to queue Help line" in told
    # The queue took the customer as an inbound call linked to the attempt; cara answered it.
    call_id, in_outcome, in_agent, caller_number, from_attempt, in_queue = inbound_row
    assert cara_during.attempt_id == -call_id
    assert (in_outcome, in_agent, caller_number) == ("answered", cara.id, number)
    assert (from_attempt, in_queue) == (call.attempt, queue)


def test_a_queue_that_cannot_be_reached_gives_the_customer_back_to_bob(
    db: Connection,
    service_env: dict[str, str],
    carrier: Carrier,
    tmp_path: Path,
) -> None:
    customer = carrier(Scenario.ANSWER_WITH_DTMF)
    floor = Floor.on(db, service_env["REDIS_URL"], customer)
    queue = inbound_store.add_queue(db, "Help line", floor.campaign.id, [DID])
    nobody = f"127.0.0.1:{free_udp_port()}"  # no inbound process listens there
    with BaresipAgent(tmp_path, tone(tmp_path, AGENT_TONE_HZ, 90), user="bob") as bob_phone:
        floor.agent("bob", bob_phone.uri)
        env = {**service_env, "DIALER_INBOUND_ADDRESS": nobody}
        with RtpCapture() as capture, running_workers(env, 2, tmp_path) as workers:
            call = CustomerCall(
                connected_call(floor, customer, workers.redis_url, capture, "+12025550195")
            )
            asked = time.monotonic()
            to_queue(workers.redis_url, call.attempt, queue)
            while transfer_row(db, call.attempt)[2] in (None, "", "requested"):
                assert time.monotonic() < asked + 45, "the transfer was never decided"
                time.sleep(0.2)
            given_back_s = time.monotonic() - asked
            back = call.stretch(2.0)
            assert floor.status("bob").state is AgentState.ON_CALL
            call.hang_up()
            wait_ended(db, [call.attempt])
            told = notices(workers.redis_url, call.attempt)
    # Nothing answers at that address: the queue's 8 s answer timeout, not a person's 30 s.
    assert transfer_row(db, call.attempt)[2] == "no_answer"
    assert given_back_s < 12
    assert band_share(back, (AGENT_TONE_HZ,)) > 0.8, "the customer is not back with bob"
    assert band_share(back, NOTES_HZ) < 0.05, "the customer still hears the music on hold"
    assert any("the customer is back with you" in n for n in told), told


def test_with_every_leg_of_the_process_busy_a_queue_transfer_is_refused_and_the_call_goes_on(
    db: Connection,
    service_env: dict[str, str],
    carrier: Carrier,
    tmp_path: Path,
) -> None:
    customer = carrier(Scenario.ANSWER_WITH_DTMF)
    floor = Floor.on(db, service_env["REDIS_URL"], customer)
    queue = inbound_store.add_queue(db, "Help line", floor.campaign.id, [DID])
    env = {**service_env, "DIALER_INBOUND_ADDRESS": f"127.0.0.1:{free_udp_port()}"}
    mic = tone(tmp_path, AGENT_TONE_HZ, 30)
    with full_process(floor, env, tmp_path, mic, ("+12025550196", "+12025550197")) as full:
        first = full.attempts[0]
        to_queue(full.workers.redis_url, first, queue)
        told = full.wait_for_notice(first)
        states = full.agent_states()
        full.hang_up()
        rows = wait_ended(db, full.attempts)
    assert states == (AgentState.ON_CALL, AgentState.ON_CALL), "the refusal disturbed a call"
    assert all(row[OUTCOME] == "connected" for row in rows.values())
    [notice] = told
    assert "transfer_queue refused: no free line on this worker for a third party" in notice
    assert transfer_row(db, first) == (None, None, None)


def test_a_full_inbound_process_refuses_the_queue_leg_and_the_customer_stays_with_bob(
    db: Connection,
    service_env: dict[str, str],
    carrier: Carrier,
    tmp_path: Path,
) -> None:
    customer = carrier(Scenario.ANSWER_WITH_DTMF)
    floor = Floor.on(db, service_env["REDIS_URL"], customer)
    queue = inbound_store.add_queue(db, "Help line", floor.campaign.id, [DID])
    with (
        BaresipAgent(tmp_path, tone(tmp_path, AGENT_TONE_HZ, 90), user="bob") as bob_phone,
        running_inbound(service_env, tmp_path, calls=2) as inbound,  # one process, 2 calls
    ):
        floor.agent("bob", bob_phone.uri)
        env = {**service_env, "DIALER_INBOUND_ADDRESS": inbound.address}
        with RtpCapture() as capture, running_workers(env, 2, tmp_path) as workers:
            call = CustomerCall(
                connected_call(floor, customer, workers.redis_url, capture, "+12025550198")
            )
            # Two callers wait in the queue (nobody is ready): the process is full.
            waiting = caller(tmp_path, inbound, DID, "+12125550123", calls=2)
            deadline = time.monotonic() + 15
            while db.execute("SELECT count(*) FROM inbound_calls").fetchone() != (2,):
                assert time.monotonic() < deadline, "the callers did not queue"
                time.sleep(0.2)
            to_queue(workers.redis_url, call.attempt, queue)
            while transfer_row(db, call.attempt)[2] is None:
                assert time.monotonic() < deadline + 15, "the transfer was never decided"
                time.sleep(0.2)
            back = call.stretch(2.0)
            assert floor.status("bob").state is AgentState.ON_CALL
            call.hang_up()
            wait_ended(db, [call.attempt])
            told = notices(workers.redis_url, call.attempt)
        waiting.stop()
    assert transfer_row(db, call.attempt)[2] == "busy"
    assert band_share(back, (AGENT_TONE_HZ,)) > 0.8, "the customer is not back with bob"
    assert band_share(back, NOTES_HZ) < 0.05, "the customer still hears the music on hold"
    assert "queue Help line is busy: the customer is back with you" in told
