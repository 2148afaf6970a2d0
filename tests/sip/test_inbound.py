"""Inbound calls through the real `dialer inbound serve`: sipp callers, sipp agent phones,
PostgreSQL and Redis. Callers queue in arrival order for the campaign's ready agents, and after
the queue's maximum wait leave a voicemail or get a callback."""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import pytest
import redis

from campaigns.agents import AgentState
from campaigns.storage import inbound_store, screen_pop_query
from campaigns.storage.db import Connection
from campaigns.storage.inbound_store import Overflow
from dashboard.console_schemas import screen_pop_json
from dialer.agents.dispositions import submit_disposition, submit_inbound_disposition
from dialer.bench.inbound_load import finals_received
from dialer.bootstrap import redis_client
from dialer.carrier import Scenario, SippCarrier
from dialer.inbound import proxy
from dialer.inbound.waiting_line import ALIVE_S, campaign_waiting
from tests.factories import make_contacts

from .agent_floor import AGENT_ID as ATTEMPT_AGENT_ID
from .agent_floor import ANSWER_AT as ATTEMPT_ANSWER_AT
from .agent_floor import OUTCOME as ATTEMPT_OUTCOME
from .agent_floor import Floor
from .audio_check import SPEECH_RMS, rms, seconds
from .inbound_harness import (
    ABANDONED_AT,
    AGENT_ID,
    ANSWERED_AT,
    OFFERED_AT,
    OUTCOME,
    RECORDING,
    caller,
    calls,
    running_inbound,
)
from .workers_harness import enqueue, running_workers, wait_ended

pytestmark = [pytest.mark.sip, pytest.mark.usefixtures("service_env")]

Carrier = Callable[[Scenario], SippCarrier]
DID = "+18005550100"
CALLER = "+12125550123"


def waited(row: tuple[object, ...], until: int) -> float:
    start, end = row[OFFERED_AT], row[until]
    assert isinstance(start, datetime) and isinstance(end, datetime), row
    return (end - start).total_seconds()


def floor_with_queue(db: Connection, redis_url: str, phones: SippCarrier, **queue: object) -> Floor:
    floor = Floor.on(db, redis_url, phones)
    inbound_store.add_queue(db, "Help line", floor.campaign.id, [DID], **queue)  # type: ignore[arg-type]
    return floor


def four_agents_ready(db: Connection, redis_url: str, phones: SippCarrier) -> Floor:
    floor = floor_with_queue(db, redis_url, phones)
    for name in ("ann", "ben", "cal", "dot"):
        floor.agent(name, f"sip:{name}@{phones.host_port}")
    return floor


def finished(sipp: SippCarrier, timeout: float = 60) -> int | None:
    code = sipp.wait(timeout)
    sipp.stop()
    return code


def test_a_caller_reaches_a_ready_agent_at_once(
    db: Connection, redis_url: str, service_env: dict[str, str], carrier: Carrier, tmp_path: Path
) -> None:
    phones = carrier(Scenario.ANSWER_AND_WAIT)
    floor = floor_with_queue(db, redis_url, phones)
    [known] = make_contacts(db, floor.campaign, [CALLER], ["America/New_York"], first_name="Ada")
    db.execute('UPDATE contacts SET custom_fields = \'{"plan": "gold"}\' WHERE id = %s', (known,))
    amy = floor.agent("amy", f"sip:amy@{phones.host_port}")
    with running_inbound(service_env, tmp_path) as inbound:
        assert finished(caller(tmp_path, inbound, DID, CALLER, hang_up_after_s=3)) == 0
        [row] = calls(db)
    assert row[OUTCOME] == "answered"
    assert row[AGENT_ID] == amy.id
    assert waited(row, ANSWERED_AT) < 1.0
    assert phones.invites_received() == 1
    [(call_id,)] = db.execute("SELECT id FROM inbound_calls").fetchall()
    [invite] = phones.wait_for_requests("INVITE", 1)
    assert f"X-Dialer-Inbound: {call_id}" in invite and f"X-Dialer-Contact: {known}" in invite

    # The console's screen pop of the call (GET /api/v1/inbound-calls/<id>/screen-pop).
    found = screen_pop_query.inbound_screen_pop(db, call_id, datetime.now(UTC))
    assert found is not None
    pop = screen_pop_json(found)
    assert pop["inbound"]["caller_number"] == CALLER and pop["inbound"]["did"] == DID
    assert pop["inbound"]["queue_name"] == "Help line" and pop["inbound"]["known_caller"]
    assert pop["inbound"]["waited_s"] < 1.0
    assert pop["contact"]["first_name"] == "Ada"
    assert pop["contact"]["custom_fields"] == {"plan": "gold"}
    assert pop["campaign"]["id"] == floor.campaign.id

    # Wrap-up, then the disposition takes the agent back to ready, as after an outbound call.
    floor.wait_state("amy", AgentState.WRAP_UP)
    submit_inbound_disposition(floor.service, call_id, amy.id, "sale", datetime.now(UTC))
    floor.wait_state("amy", AgentState.READY)
    assert db.execute(
        "SELECT disposition FROM inbound_calls WHERE id = %s", (call_id,)
    ).fetchone() == ("sale",)
    assert db.execute("SELECT state FROM contacts WHERE id = %s", (known,)).fetchone() == ("done",)


def test_a_queued_caller_is_answered_when_an_agent_goes_ready(
    db: Connection, redis_url: str, service_env: dict[str, str], carrier: Carrier, tmp_path: Path
) -> None:
    phones = carrier(Scenario.ANSWER_AND_WAIT)
    floor = floor_with_queue(db, redis_url, phones)
    bob = floor.agent("bob", f"sip:bob@{phones.host_port}", ready=False)
    with running_inbound(service_env, tmp_path) as inbound:
        call = caller(tmp_path, inbound, DID, CALLER, hang_up_after_s=8)
        time.sleep(3)
        assert db.execute("SELECT count(*) FROM inbound_calls").fetchone() == (1,)
        floor.service.ready(bob.id, datetime.now().astimezone())
        assert finished(call) == 0
        [row] = calls(db)
    assert row[OUTCOME] == "answered"
    assert row[AGENT_ID] == bob.id
    assert 2.5 < waited(row, ANSWERED_AT) < 5


def test_callers_are_served_in_arrival_order(
    db: Connection, redis_url: str, service_env: dict[str, str], carrier: Carrier, tmp_path: Path
) -> None:
    phones = carrier(Scenario.ANSWER_AND_WAIT)
    floor = floor_with_queue(db, redis_url, phones)
    cy = floor.agent("cy", f"sip:cy@{phones.host_port}", ready=False)
    with running_inbound(service_env, tmp_path, calls=4) as inbound:
        first = caller(tmp_path, inbound, DID, "+12125550001", hang_up_after_s=6)
        time.sleep(1)
        # The second caller gives up at about 5 s, while cy still talks to the first (until 6 s).
        second = caller(tmp_path / "2", inbound, DID, "+12125550002", hang_up_after_s=4)
        time.sleep(1)
        floor.service.ready(cy.id, datetime.now().astimezone())
        finished(first)
        finished(second)
        rows = calls(db, count=2)
    by_caller = {row[7]: row for row in rows}
    assert by_caller["+12125550001"][OUTCOME] == "answered"  # the one who waited longest
    assert by_caller["+12125550002"][OUTCOME] == "abandoned"  # hung up while cy was busy


def test_a_caller_who_hangs_up_while_queued_is_recorded_abandoned(
    db: Connection, redis_url: str, service_env: dict[str, str], carrier: Carrier, tmp_path: Path
) -> None:
    phones = carrier(Scenario.ANSWER_AND_WAIT)
    floor_with_queue(db, redis_url, phones)  # nobody logged in
    with running_inbound(service_env, tmp_path) as inbound:
        assert finished(caller(tmp_path, inbound, DID, CALLER, hang_up_after_s=2)) == 0
        [row] = calls(db)
    assert row[OUTCOME] == "abandoned"
    assert 1.5 < waited(row, ABANDONED_AT) < 4
    assert phones.invites_received() == 0


def test_after_the_maximum_wait_the_caller_leaves_a_voicemail(
    db: Connection, redis_url: str, service_env: dict[str, str], carrier: Carrier, tmp_path: Path
) -> None:
    phones = carrier(Scenario.ANSWER_AND_WAIT)
    floor_with_queue(db, redis_url, phones, max_wait_s=5, overflow=Overflow.VOICEMAIL)
    with running_inbound(service_env, tmp_path) as inbound:
        # 5 s queued, the prompt (about 6 s) and its tone, then the caller speaks until 18 s.
        assert finished(caller(tmp_path, inbound, DID, CALLER, hang_up_after_s=18)) == 0
        [row] = calls(db)
    assert row[OUTCOME] == "voicemail"
    message = Path(str(row[RECORDING]))
    assert seconds(message) > 3
    assert rms(message) > SPEECH_RMS  # what the caller said (sipp streams speech)


def test_after_the_maximum_wait_a_callback_is_scheduled(
    db: Connection, redis_url: str, service_env: dict[str, str], carrier: Carrier, tmp_path: Path
) -> None:
    phones = carrier(Scenario.ANSWER_AND_WAIT)
    floor = floor_with_queue(db, redis_url, phones, max_wait_s=5, overflow=Overflow.CALLBACK)
    with running_inbound(service_env, tmp_path) as inbound:
        # The caller waits for our goodbye: we hang up after the callback prompt.
        assert finished(caller(tmp_path, inbound, DID, CALLER)) == 0
        [row] = calls(db)
    assert row[OUTCOME] == "callback"
    contact = db.execute(
        "SELECT state, campaign_id FROM contacts WHERE phone_e164 = %s", (CALLER,)
    ).fetchone()
    assert contact == ("callback", floor.campaign.id)


def test_an_invite_from_an_address_that_is_not_the_carrier_is_refused(
    db: Connection, redis_url: str, service_env: dict[str, str], carrier: Carrier, tmp_path: Path
) -> None:
    phones = carrier(Scenario.ANSWER_AND_WAIT)
    floor_with_queue(db, redis_url, phones)
    with running_inbound(service_env, tmp_path) as inbound:
        stranger = SippCarrier(
            Scenario.UAC_INVITE_REFUSED,
            tmp_path,
            address="127.0.0.2",
            remote=inbound.address,
            calls=1,
            extra_args=("-s", DID),
        ).start()
        assert finished(stranger, timeout=15) == 0  # sipp saw 403
    assert db.execute("SELECT count(*) FROM inbound_calls").fetchone() == (0,)


def test_a_blended_agent_takes_an_inbound_call_between_outbound_calls(
    db: Connection, redis_url: str, service_env: dict[str, str], carrier: Carrier, tmp_path: Path
) -> None:
    customers = carrier(Scenario.ANSWER_AND_WAIT)
    phones = carrier(Scenario.ANSWER_THEN_HANGUP)  # the agent answers, then ends the call
    floor = Floor.on(db, redis_url, customers)
    inbound_store.add_queue(db, "Help line", floor.campaign.id, [DID])
    dee = floor.agent("dee", f"sip:dee@{phones.host_port}")
    with (
        running_workers(service_env, 2, tmp_path) as workers,
        running_inbound(service_env, tmp_path) as inbound,
    ):
        first, second = floor.attempts("+12025550171", "+12025550172")
        enqueue(workers.redis_url, [first])
        assert wait_ended(db, [first])[first][ATTEMPT_OUTCOME] == "connected"
        floor.wait_state("dee", AgentState.WRAP_UP)
        submit_disposition(floor.service, first, dee.id, "sale", datetime.now(UTC))

        assert finished(caller(tmp_path, inbound, DID, CALLER)) == 0
        [row] = calls(db)
        floor.wait_state("dee", AgentState.WRAP_UP)
        [(inbound_id,)] = db.execute("SELECT id FROM inbound_calls").fetchall()
        submit_inbound_disposition(floor.service, inbound_id, dee.id, "sale", datetime.now(UTC))

        floor.wait_state("dee", AgentState.READY)
        enqueue(workers.redis_url, [second])
        assert wait_ended(db, [second])[second][ATTEMPT_OUTCOME] == "connected"
    assert row[OUTCOME] == "answered" and row[AGENT_ID] == dee.id
    agents = db.execute(
        "SELECT agent_id FROM call_attempts WHERE id = ANY(%s)", ([first, second],)
    ).fetchall()
    assert agents == [(dee.id,), (dee.id,)]
    assert phones.invites_received() == 3


@pytest.mark.parametrize("another_agent", [True, False], ids=["another_agent", "nobody_else"])
def test_an_agent_who_frees_up_goes_to_the_waiting_caller_not_to_an_outbound_answer(
    db: Connection,
    redis_url: str,
    service_env: dict[str, str],
    carrier: Carrier,
    tmp_path: Path,
    another_agent: bool,
) -> None:
    """The race made on purpose: dee frees up while a caller waits for her and an outbound call
    is answered. The caller's process is frozen (SIGSTOP) so that it cannot claim dee before the
    outbound answer asks for an agent; its place still counts (vouched for `ALIVE_S`), so the
    answer's claim passes over dee: it gets eve, who went ready after dee, or nobody
    (abandoned). Thawed, the caller gets dee."""
    customers = carrier(Scenario.ANSWER_AND_WAIT)
    phones = carrier(Scenario.ANSWER_THEN_HANGUP)  # agents answer, then end the call
    floor = Floor.on(db, redis_url, customers)
    inbound_store.add_queue(db, "Help line", floor.campaign.id, [DID])
    dee = floor.agent("dee", f"sip:dee@{phones.host_port}")
    eve = floor.agent("eve", f"sip:eve@{phones.host_port}", ready=False)
    client = redis_client(redis_url)
    with (
        running_workers(service_env, 2, tmp_path) as workers,
        running_inbound(service_env, tmp_path) as inbound,
    ):
        first, second = floor.attempts("+12025550171", "+12025550172")
        # dee's previous call: she stays in wrap-up until her disposition frees her.
        enqueue(workers.redis_url, [first])
        assert wait_ended(db, [first])[first][ATTEMPT_OUTCOME] == "connected"
        floor.wait_state("dee", AgentState.WRAP_UP)
        call = caller(tmp_path, inbound, DID, CALLER)  # waits for our BYE
        wait_waiting(client, floor.campaign.id, 1)

        process = inbound.process_holding_calls()
        process.suspend()
        frozen_at = datetime.now(UTC)
        try:
            submit_disposition(floor.service, first, dee.id, "sale", datetime.now(UTC))
            assert floor.status("dee").state is AgentState.READY
            if another_agent:
                floor.service.ready(eve.id, datetime.now(UTC))  # after dee: dee is longest idle
            enqueue(workers.redis_url, [second])
            answer = wait_ended(db, [second])[second]
            assert floor.status("dee").state is AgentState.READY  # nobody took her meanwhile
        finally:
            process.resume()
        answered_at = answer[ATTEMPT_ANSWER_AT]
        assert isinstance(answered_at, datetime)
        # The claim followed the answer at once; it must have come while the frozen process
        # still vouched for its caller (at least ALIVE_S - 1 s after its last refresh).
        assert (answered_at - frozen_at).total_seconds() < ALIVE_S - 1, "too slow to tell"

        assert finished(call) == 0
        [row] = calls(db)
    assert row[OUTCOME] == "answered" and row[AGENT_ID] == dee.id
    assert isinstance(row[ANSWERED_AT], datetime) and row[ANSWERED_AT] > answered_at
    if another_agent:
        assert answer[ATTEMPT_OUTCOME] == "connected" and answer[ATTEMPT_AGENT_ID] == eve.id
    else:
        assert answer[ATTEMPT_OUTCOME] == "abandoned" and answer[ATTEMPT_AGENT_ID] is None
    assert phones.invites_received() == (3 if another_agent else 2)


def wait_waiting(client: redis.Redis, campaign_id: int, count: int, timeout: float = 10) -> None:
    """Until ``count`` callers wait in the campaign's queues (counted for outbound claims)."""
    deadline = time.monotonic() + timeout
    while campaign_waiting(client, [campaign_id])[campaign_id] != count:
        assert time.monotonic() < deadline, "the caller never joined the waiting line"
        time.sleep(0.05)


def test_stopping_the_service_sends_waiting_callers_to_their_overflow(
    db: Connection, redis_url: str, service_env: dict[str, str], carrier: Carrier, tmp_path: Path
) -> None:
    phones = carrier(Scenario.ANSWER_AND_WAIT)
    floor_with_queue(db, redis_url, phones, max_wait_s=600, overflow=Overflow.CALLBACK)
    with running_inbound(service_env, tmp_path, grace=15) as inbound:
        call = caller(tmp_path, inbound, DID, CALLER)
        time.sleep(2)
        assert inbound.stop() == 0
        assert finished(call, timeout=20) == 0  # heard the goodbye, then our BYE
    [row] = calls(db, timeout=5)
    assert row[OUTCOME] == "callback"


@pytest.mark.skipif(not proxy.MODULES.exists(), reason="needs kamailio (apt-get install kamailio)")
def test_the_proxy_spreads_calls_over_processes_and_skips_a_full_one(
    db: Connection, redis_url: str, service_env: dict[str, str], carrier: Carrier, tmp_path: Path
) -> None:
    four_agents_ready(db, redis_url, carrier(Scenario.ANSWER_AND_WAIT))
    with running_inbound(service_env, tmp_path, calls=4, proxy=True) as inbound:
        # Four calls at once to one address; the proxy tries the first process first, so the
        # 3rd and 4th reach the second process only because the first answered 486.
        four = caller(tmp_path, inbound, DID, CALLER, hang_up_after_s=4, calls=4,
                      extra=("-r", "4", "-rp", "500"))  # fmt: skip
        assert finished(four) == 0
        rows = calls(db, count=4)
        stranger = SippCarrier(
            Scenario.UAC_INVITE_REFUSED, tmp_path, address="127.0.0.2",
            remote=inbound.address, calls=1, extra_args=("-s", DID),
        ).start()  # fmt: skip
        assert finished(stranger, timeout=15) == 0  # the proxy refused it: 403
    assert [row[OUTCOME] for row in rows].count("answered") == 4
    # The first process's 486s are stored as rejected when pjsua lets us see the INVITE; when
    # all four of its call slots are busy it refuses on its own, unseen: 0 to 2 rows.
    workers = {
        w
        for (w,) in db.execute(
            "SELECT DISTINCT worker FROM inbound_calls WHERE outcome = 'answered'"
        ).fetchall()
    }
    assert len(workers) == 2


@pytest.mark.skipif(not proxy.MODULES.exists(), reason="needs kamailio (apt-get install kamailio)")
def test_the_load_counting_proxy_offers_calls_only_to_processes_with_room(
    db: Connection, redis_url: str, service_env: dict[str, str], carrier: Carrier, tmp_path: Path
) -> None:
    four_agents_ready(db, redis_url, carrier(Scenario.ANSWER_AND_WAIT))
    with running_inbound(service_env, tmp_path, calls=4, proxy=True, order="load") as inbound:
        # Five calls at once for two processes of two calls: the proxy counts each process's
        # calls, gives two to each, and refuses the fifth itself; no process refuses one.
        five = caller(tmp_path, inbound, DID, CALLER, hang_up_after_s=4, calls=5,
                      extra=("-r", "5", "-rp", "500"))  # fmt: skip
        five.wait(60)
        five.stop()
        rows = calls(db, count=4)
        assert sorted(finals_received(five).values()) == [200, 200, 200, 200, 486]
        assert [row[OUTCOME] for row in rows] == ["answered"] * 4
        # The calls' ends (BYE through the proxy: Record-Route) give the room back: four more
        # calls all reach a process (the agents are in wrap-up now: the callers give up).
        again = caller(tmp_path / "again", inbound, DID, CALLER, hang_up_after_s=2, calls=4,
                       extra=("-r", "4", "-rp", "500"))  # fmt: skip
        assert finished(again) == 0
        assert sorted(finals_received(again).values()) == [200] * 4
        rows = calls(db, count=8)
    assert "rejected" not in [row[OUTCOME] for row in rows]
    workers = {w for (w,) in db.execute("SELECT DISTINCT worker FROM inbound_calls").fetchall()}
    assert len(workers) == 2
