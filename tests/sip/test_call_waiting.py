"""Call waiting end to end: Pia (our softphone, call waiting on) talks to an outbound customer
(sipp, through `dialer workers`) when a caller (sipp) reaches the queue of her campaign through
`dialer inbound serve`; nobody is ready, so the caller is offered to her as a second call. Her
phone takes it: the worker holds the customer, who hears music (checked in the RTP sipp
received), the caller reaches Pia (checked in what her phone recorded), and when the caller
hangs up the customer is resumed (the music stops) and the first call goes on; the second
call's disposition is asked for and recorded while Pia is back on the first call."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pytest

from campaigns.agents import Agent, AgentState
from campaigns.storage import agent_store, inbound_store, second_call_store
from campaigns.storage.db import Connection
from campaigns.storage.second_call_store import SecondCall
from dialer import live_events
from dialer.agents.dispositions import (
    DispositionDone,
    submit_disposition,
    submit_inbound_disposition,
)
from dialer.agents.waiting_offers import Answer, WaitingOffers
from dialer.bootstrap import redis_client
from dialer.call_commands import request_hangup
from dialer.carrier import Scenario, SippCarrier
from dialer.hold_music import NOTES_HZ

from .agent_floor import AGENT_ID, OUTCOME, Floor, wait_answers
from .audio_check import SPEECH_RMS
from .audio_check import rms as wav_rms
from .call_audio import STRETCH_S, band_share
from .inbound_harness import AGENT_ID as INBOUND_AGENT_ID
from .inbound_harness import OUTCOME as INBOUND_OUTCOME
from .inbound_harness import caller, calls, running_inbound
from .rtp_capture import RtpCapture
from .softphone_fixtures import softphones
from .softphone_process import SoftphoneProcess
from .workers_harness import enqueue, running_workers, wait_ended

__all__ = ["softphones"]

pytestmark = [pytest.mark.sip, pytest.mark.usefixtures("service_env")]

Carrier = Callable[[Scenario], SippCarrier]
CUSTOMER = "+12025550181"
DID = "+18005550100"
CALLER = "+12125550123"
SECOND_CALL_S = 6.0  # the caller talks this long, then hangs up


def customer_heard(capture: RtpCapture, port: int, seconds: float = STRETCH_S) -> np.ndarray:
    start = capture.packets_to(port)
    time.sleep(seconds)
    return capture.audio_to(port, start, capture.packets_to(port))


def floor_with_pia(
    db: Connection, redis_url: str, customer: SippCarrier, pia_phone: SoftphoneProcess
) -> tuple[Floor, Agent]:
    """The campaign with its queue, and Pia ready with call waiting on."""
    floor = Floor.on(db, redis_url, customer)
    inbound_store.add_queue(db, "Help line", floor.campaign.id, [DID])
    [pia_uri] = pia_phone.ready_uris()
    pia = floor.agent("pia", pia_uri)
    spec = replace(pia.spec, call_waiting=True)
    agent_store.update_agent(db, pia.id, pia.display_name, pia.disabled, spec)
    db.commit()
    return floor, pia


def notices(redis_url: str, agent_id: int) -> list[str]:
    """The call notices shown on the agent's console (live events), oldest first."""
    streamed = live_events.latest(redis_client(redis_url))
    return [
        e.data["message"]
        for e in streamed
        if e.type is live_events.EventType.CALL_NOTICE and e.data["agent_id"] == agent_id
    ]


def amy_not_ready(
    floor: Floor, softphones: Callable[..., SoftphoneProcess]
) -> tuple[Agent, SoftphoneProcess]:
    """Amy, whose phone answers by itself, logged in and not ready yet."""
    amy_phone = softphones("amy", "--auto-answer")
    [amy_uri] = amy_phone.ready_uris()
    return floor.agent("amy", amy_uri, ready=False), amy_phone


def answer_by_hand(phone: SoftphoneProcess) -> None:
    phone.wait_for("INCOMING CALL", timeout=60)
    phone.press("a")


def pia_on_the_outbound_call(
    floor: Floor, customer: SippCarrier, redis_url: str, by_hand: SoftphoneProcess | None = None
) -> tuple[int, int]:
    """The customer's call placed and bridged to Pia (answered by hand on `by_hand`, else her
    phone answers by itself): the attempt, and the customer's media port."""
    if by_hand is not None:
        threading.Thread(target=answer_by_hand, args=(by_hand,), daemon=True).start()
    [attempt] = floor.attempts(CUSTOMER)
    enqueue(redis_url, [attempt])
    floor.wait_state("pia", AgentState.ON_CALL, timeout=60)
    [port] = wait_answers(customer, 1)
    return attempt, port


def wait_to_dispose(db: Connection, agent_id: int, timeout: float = 10) -> list[SecondCall]:
    """The agent's second calls waiting for a disposition, once the queue call stored its end."""
    deadline = time.monotonic() + timeout
    while not (listed := second_call_store.to_dispose(db, agent_id, datetime.now(UTC))):
        assert time.monotonic() < deadline, "the second call was never listed to dispose"
        time.sleep(0.1)
    return listed


def dispose_second_call(floor: Floor, inbound_id: int, agent_id: int) -> DispositionDone:
    return submit_inbound_disposition(
        floor.service, inbound_id, agent_id, "sale", datetime.now(UTC)
    )


def test_pia_takes_a_waiting_caller_the_customer_hears_music_and_is_resumed_after(
    db: Connection,
    service_env: dict[str, str],
    carrier: Carrier,
    tmp_path: Path,
    softphones: Callable[..., SoftphoneProcess],
) -> None:
    customer = carrier(Scenario.ANSWER_AND_WAIT)  # speaks until our side hangs up
    heard = tmp_path / "heard"
    pia_phone = softphones("pia", "--auto-answer", "--record", str(heard))
    floor, pia = floor_with_pia(db, service_env["REDIS_URL"], customer, pia_phone)

    with (
        RtpCapture() as capture,
        running_workers(service_env, 1, tmp_path) as workers,
        running_inbound(service_env, tmp_path) as inbound,
    ):
        attempt, port = pia_on_the_outbound_call(floor, customer, workers.redis_url)
        talking = customer_heard(capture, port)

        second = caller(tmp_path, inbound, DID, CALLER, hang_up_after_s=SECOND_CALL_S)
        pia_phone.wait_for("CALL WAITING", timeout=30)
        time.sleep(1.0)  # the HOLD crosses Redis to the worker
        held = customer_heard(capture, port)
        pia_phone.wait_for("back to", timeout=30)  # the caller hung up
        time.sleep(1.0)  # the RESUME crosses Redis to the worker
        resumed = customer_heard(capture, port)
        still = floor.status("pia")
        # Pia records the second call's disposition (the card's Save), back on the first call.
        [inbound_id] = [c[0] for c in db.execute("SELECT id FROM inbound_calls").fetchall()]
        listed = wait_to_dispose(db, pia.id)
        second_done = dispose_second_call(floor, inbound_id, pia.id)
        after_second = floor.status("pia")
        request_hangup(redis_client(workers.redis_url), attempt, "test")
        row = wait_ended(db, [attempt])[attempt]
        first_wrap_up = floor.wait_state("pia", AgentState.WRAP_UP, timeout=10)
        first_done = submit_disposition(floor.service, attempt, pia.id, "sale", datetime.now(UTC))
        [inbound_row] = calls(db)
        assert second.wait(30) == 0
        second.stop()
        shown = notices(service_env["REDIS_URL"], pia.id)

    assert band_share(talking, NOTES_HZ) < 0.05, "music before the second call"
    assert band_share(held, NOTES_HZ) > 0.8, "the held customer did not hear the music"
    assert band_share(resumed, NOTES_HZ) < 0.05, "the music went on after the resume"
    assert still.state is AgentState.ON_CALL and still.attempt_id == attempt, still
    assert row[OUTCOME] == "connected" and row[AGENT_ID] == pia.id
    assert inbound_row[INBOUND_OUTCOME] == "answered"
    assert inbound_row[INBOUND_AGENT_ID] == pia.id
    # The second call: listed for its disposition once over, recorded on the inbound call,
    # and Pia still on (then wrapping up) her first call, whose disposition follows as usual.
    assert [c.inbound_call_id for c in listed] == [inbound_id]
    assert second_done.recorded.disposition.code == "sale"
    assert db.execute(
        "SELECT disposition, second_call FROM inbound_calls WHERE id = %s", (inbound_id,)
    ).fetchone() == ("sale", True)
    assert (after_second.state, after_second.attempt_id) == (AgentState.ON_CALL, attempt)
    assert first_wrap_up.attempt_id == attempt
    assert first_done.agent.state is AgentState.READY
    assert shown == [
        f"Call waiting: {CALLER} in Help line. Answer it on your phone to take it (your customer"
        " is put on hold), or decline.",
        f"Second call with {CALLER} over: record its disposition.",
    ]
    [second_call] = heard.glob("*-call-*.wav")
    assert wav_rms(second_call) > SPEECH_RMS, "the caller's voice did not reach Pia"


@pytest.mark.parametrize("where", ["phone", "console"])
def test_pia_declines_the_waiting_caller_who_goes_back_to_the_queue_for_amy(
    where: str,
    db: Connection,
    service_env: dict[str, str],
    carrier: Carrier,
    tmp_path: Path,
    softphones: Callable[..., SoftphoneProcess],
) -> None:
    customer = carrier(Scenario.ANSWER_AND_WAIT)
    pia_phone = softphones("pia")  # answered by hand: "a", then "h" for the waiting caller
    floor, pia = floor_with_pia(db, service_env["REDIS_URL"], customer, pia_phone)
    amy, amy_phone = amy_not_ready(floor, softphones)

    with (
        RtpCapture() as capture,
        running_workers(service_env, 1, tmp_path) as workers,
        running_inbound(service_env, tmp_path) as inbound,
    ):
        attempt, port = pia_on_the_outbound_call(floor, customer, workers.redis_url, pia_phone)

        second = caller(tmp_path, inbound, DID, CALLER, hang_up_after_s=SECOND_CALL_S)
        pia_phone.wait_for("CALL WAITING", timeout=30)
        if where == "phone":
            pia_phone.press("h")
        else:  # what POST /api/v1/agent/call-waiting/decline does
            offers = WaitingOffers(redis_client(service_env["REDIS_URL"]))
            offer = offers.current(pia.id)
            assert offer is not None
            assert offers.answer(pia.id, offer.inbound_call_id, Answer.DECLINE)
        pia_phone.wait_for("back to", timeout=10)
        during = customer_heard(capture, port)
        floor.service.ready(amy.id, datetime.now(UTC))
        amy_phone.wait_for("connected", timeout=30)
        [inbound_row] = calls(db)
        assert second.wait(30) == 0
        second.stop()
        still = floor.status("pia")
        request_hangup(redis_client(workers.redis_url), attempt, "test")
        row = wait_ended(db, [attempt])[attempt]
        shown = notices(service_env["REDIS_URL"], pia.id)

    assert band_share(during, NOTES_HZ) < 0.05, "the customer was held although Pia declined"
    assert inbound_row[INBOUND_OUTCOME] == "answered"
    assert inbound_row[INBOUND_AGENT_ID] == amy.id
    assert still.state is AgentState.ON_CALL and still.attempt_id == attempt, still
    assert row[OUTCOME] == "connected" and row[AGENT_ID] == pia.id
    assert pia_phone.screen().count("CALL WAITING") == 1, "the caller was offered to Pia again"
    assert shown[-1] == "Call waiting: the caller went back to the queue.", shown


def test_the_offer_is_withdrawn_when_pias_customer_hangs_up_and_the_caller_goes_to_amy(
    db: Connection,
    service_env: dict[str, str],
    carrier: Carrier,
    tmp_path: Path,
    softphones: Callable[..., SoftphoneProcess],
) -> None:
    customer = carrier(Scenario.ANSWER_AND_WAIT)
    pia_phone = softphones("pia")  # the waiting caller rings; Pia does not take it
    floor, pia = floor_with_pia(db, service_env["REDIS_URL"], customer, pia_phone)
    amy, amy_phone = amy_not_ready(floor, softphones)

    with (
        running_workers(service_env, 1, tmp_path) as workers,
        running_inbound(service_env, tmp_path) as inbound,
    ):
        attempt, _ = pia_on_the_outbound_call(floor, customer, workers.redis_url, pia_phone)
        second = caller(tmp_path, inbound, DID, CALLER, hang_up_after_s=SECOND_CALL_S)
        pia_phone.wait_for("CALL WAITING", timeout=30)
        request_hangup(redis_client(workers.redis_url), attempt, "test")  # the first call ends
        row = wait_ended(db, [attempt])[attempt]
        floor.wait_state("pia", AgentState.WRAP_UP)
        floor.service.ready(amy.id, datetime.now(UTC))
        amy_phone.wait_for("connected", timeout=30)
        [inbound_row] = calls(db)
        assert second.wait(30) == 0
        second.stop()
        shown = notices(service_env["REDIS_URL"], pia.id)
        log = inbound.log()

    assert row[OUTCOME] == "connected" and row[AGENT_ID] == pia.id
    assert inbound_row[INBOUND_OUTCOME] == "answered"
    assert inbound_row[INBOUND_AGENT_ID] == amy.id
    assert shown[-1] == "Call waiting: the caller went back to the queue.", shown
    assert "first_call_ended" in log, "the offer was not withdrawn when the first call ended"
