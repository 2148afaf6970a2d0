"""Blind transfer to an external number on real calls, asked for as the console asks.

Everything is real: `dialer workers` (Celery, pjsua2), PostgreSQL and Redis, sipp as the
carrier, baresip as the agent's phone playing a 1 kHz tone. The transfer goes out through the
campaign's trunk, so the same sipp carrier answers the third party's call (with speech, as it
answers the customer's). What the customer hears is captured off the loopback interface.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime
from pathlib import Path

import pytest

from campaigns.agents import AgentState
from campaigns.storage.db import Connection
from dialer import call_commands
from dialer.agents.dispositions import submit_disposition
from dialer.bootstrap import redis_client
from dialer.call_commands import CallCommand
from dialer.carrier import Scenario
from dialer.carrier.baresip import BaresipAgent
from dialer.hold_music import NOTES_HZ

from .agent_floor import AGENT_ID, OUTCOME, Floor
from .call_audio import AGENT_TONE_HZ, SILENCE_RMS, band_share, tone
from .call_features_harness import connected_call
from .full_process import full_process, notices
from .rtp_capture import RtpCapture, rms
from .transfer_calls import ALLOWED, THIRD_PARTY, Carrier, CustomerCall, decide, transfer_row
from .workers_harness import running_workers, wait_ended

pytestmark = [pytest.mark.sip, pytest.mark.usefixtures("service_env")]

# The carrier's speech alone puts 10-25 % of its energy near the tune's notes (voice formants);
# the music still playing (>80 % on its own) would push the mix well past this.
MUSIC_GONE = 0.5


def transfer(
    redis_url: str, attempt: int, destination: str, action: CallCommand = CallCommand.TRANSFER
) -> None:
    """As the console's Transfer (or Add to call) button does (after the dashboard's allow-list
    check)."""
    call_commands.send(
        redis_client(redis_url),
        attempt,
        action,
        "agent test",
        datetime.now(UTC),
        destination=destination,
    )


def test_an_answered_transfer_bridges_the_customer_to_the_third_party_and_frees_the_agent(
    db: Connection,
    service_env: dict[str, str],
    carrier: Carrier,
    tmp_path: Path,
) -> None:
    customer = carrier(Scenario.ANSWER_WITH_DTMF)
    floor = Floor.on(db, service_env["REDIS_URL"], customer, transfer_destinations=ALLOWED)
    with BaresipAgent(tmp_path, tone(tmp_path, AGENT_TONE_HZ, 60), user="bob") as bob_phone:
        bob = floor.agent("bob", bob_phone.uri)
        with RtpCapture() as capture, running_workers(service_env, 2, tmp_path) as workers:
            call = CustomerCall(
                connected_call(floor, customer, workers.redis_url, capture, "+12025550181")
            )
            talking = call.stretch(1.5)
            transfer(workers.redis_url, call.attempt, THIRD_PARTY)
            # The agent is released to wrap-up as soon as the third party answers.
            floor.wait_state("bob", AgentState.WRAP_UP, timeout=15)
            after = call.stretch(3.0)
            # Their part is over: the disposition is taken while the call goes on.
            disposed = submit_disposition(
                floor.service, call.attempt, bob.id, "sale", datetime.now(UTC)
            )
            answers = len(customer.answered_media_ports())  # the customer's, the third's
            call.hang_up()
            row = wait_ended(db, [call.attempt])[call.attempt]
    assert band_share(talking, (AGENT_TONE_HZ,)) > 0.8, "the agent was not heard first"
    assert answers == 2, "the third party's call was not answered by the carrier"
    assert rms(after) > SILENCE_RMS, "the transferred customer hears silence"
    assert band_share(after, (AGENT_TONE_HZ,)) < 0.05, "the agent is still heard"
    assert band_share(after, NOTES_HZ) < MUSIC_GONE, "the customer still hears the music on hold"
    assert row[OUTCOME] == "connected" and row[AGENT_ID] == bob.id
    assert disposed.agent.state is AgentState.READY
    assert db.execute(
        "SELECT disposition FROM call_attempts WHERE id = %s", (call.attempt,)
    ).fetchone() == ("sale",)
    to, at, outcome = transfer_row(db, call.attempt)
    assert (to, outcome) == (THIRD_PARTY, "answered") and at is not None
    assert f"Transferred to {THIRD_PARTY}" in notices(workers.redis_url, call.attempt)


def test_a_destination_off_the_allow_list_is_refused_by_the_worker_and_the_call_goes_on(
    db: Connection,
    service_env: dict[str, str],
    carrier: Carrier,
    tmp_path: Path,
) -> None:
    customer = carrier(Scenario.ANSWER_WITH_DTMF)
    floor = Floor.on(db, service_env["REDIS_URL"], customer, transfer_destinations=ALLOWED)
    with BaresipAgent(tmp_path, tone(tmp_path, AGENT_TONE_HZ, 30), user="bob") as bob_phone:
        floor.agent("bob", bob_phone.uri)
        with RtpCapture() as capture, running_workers(service_env, 2, tmp_path) as workers:
            call = connected_call(floor, customer, workers.redis_url, capture, "+12025550182")
            # Straight to the worker, past the dashboard's own check: the worker checks too.
            transfer(workers.redis_url, call.attempt, "+442079460000")
            still_talking = call.stretch(1.5)
            assert floor.status("bob").state is AgentState.ON_CALL
            call.hang_up()
            wait_ended(db, [call.attempt])
    assert band_share(still_talking, (AGENT_TONE_HZ,)) > 0.8, "the refusal disturbed the call"
    assert len(customer.answered_media_ports()) == 1, "a third party was called"
    assert transfer_row(db, call.attempt) == (None, None, None)
    [notice] = notices(workers.redis_url, call.attempt)
    assert "not on this campaign's list of transfer destinations" in notice


@pytest.mark.parametrize("action", [CallCommand.TRANSFER, CallCommand.CONFERENCE])
def test_with_every_leg_of_the_process_busy_a_third_party_is_refused_without_touching_the_call(
    db: Connection,
    service_env: dict[str, str],
    carrier: Carrier,
    tmp_path: Path,
    action: CallCommand,
) -> None:
    customer = carrier(Scenario.ANSWER_WITH_DTMF)
    floor = Floor.on(db, service_env["REDIS_URL"], customer, transfer_destinations=ALLOWED)
    mic = tone(tmp_path, AGENT_TONE_HZ, 30)
    with full_process(floor, service_env, tmp_path, mic, ("+12025550183", "+12025550184")) as full:
        first = full.attempts[0]
        transfer(full.workers.redis_url, first, THIRD_PARTY, action)
        told = full.wait_for_notice(first)
        states = full.agent_states()
        full.hang_up()
        rows = wait_ended(db, full.attempts)
    assert states == (AgentState.ON_CALL, AgentState.ON_CALL), "the refusal disturbed a call"
    assert len(customer.answered_media_ports()) == 2, "a third party was called"
    assert all(row[OUTCOME] == "connected" for row in rows.values())
    [notice] = told
    assert "no free line on this worker for a third party" in notice
    assert transfer_row(db, first) == (None, None, None)


def consult(redis_url: str, db: Connection, attempt: int) -> None:
    """Consult the third party and wait until they answered (the customer on hold)."""
    call_commands.send(
        redis_client(redis_url),
        attempt,
        CallCommand.CONSULT,
        "agent test",
        datetime.now(UTC),
        destination=THIRD_PARTY,
    )
    deadline = time.monotonic() + 10
    while transfer_row(db, attempt)[2] != "consulting":
        assert time.monotonic() < deadline, "the consultation never started"
        time.sleep(0.1)


@pytest.mark.parametrize("complete", [True, False], ids=["complete", "cancel"])
def test_a_warm_transfer_holds_the_customer_while_the_agent_consults_then_completes_or_cancels(
    db: Connection,
    service_env: dict[str, str],
    carrier: Carrier,
    tmp_path: Path,
    complete: bool,
) -> None:
    customer = carrier(Scenario.ANSWER_WITH_DTMF)
    floor = Floor.on(db, service_env["REDIS_URL"], customer, transfer_destinations=ALLOWED)
    with BaresipAgent(tmp_path, tone(tmp_path, AGENT_TONE_HZ, 60), user="bob") as bob_phone:
        floor.agent("bob", bob_phone.uri)
        with RtpCapture() as capture, running_workers(service_env, 2, tmp_path) as workers:
            call = CustomerCall(
                connected_call(
                    floor, customer, workers.redis_url, capture, f"+1202555018{5 + complete}"
                )
            )
            consult(workers.redis_url, db, call.attempt)
            consulting = call.stretch(2.0)
            bob_while_consulting = floor.status("bob").state
            decide(
                workers.redis_url,
                call.attempt,
                CallCommand.TRANSFER_COMPLETE if complete else CallCommand.TRANSFER_CANCEL,
            )
            if complete:
                floor.wait_state("bob", AgentState.WRAP_UP, timeout=10)
            after = call.stretch(2.0)
            bob_after = floor.status("bob").state
            call.hang_up()
            wait_ended(db, [call.attempt])
    assert bob_while_consulting is AgentState.ON_CALL
    assert band_share(consulting, NOTES_HZ) > 0.8, "the customer was not on hold meanwhile"
    assert band_share(consulting, (AGENT_TONE_HZ,)) < 0.05, "the customer heard the consultation"
    to, _, outcome = transfer_row(db, call.attempt)
    assert to == THIRD_PARTY
    if complete:
        assert outcome == "answered" and bob_after is AgentState.WRAP_UP
        assert rms(after) > SILENCE_RMS, "the customer hears silence after the hand-over"
        assert band_share(after, (AGENT_TONE_HZ,)) < 0.05, "the agent is still heard"
        assert band_share(after, NOTES_HZ) < MUSIC_GONE, "the music went on after the hand-over"
    else:
        assert outcome == "cancelled" and bob_after is AgentState.ON_CALL
        assert band_share(after, (AGENT_TONE_HZ,)) > 0.8, "the agent did not get the customer back"
        assert band_share(after, NOTES_HZ) < 0.05, "the music went on after the cancel"
