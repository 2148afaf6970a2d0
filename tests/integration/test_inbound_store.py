"""Inbound calls as stored by the inbound processes, the reports that count them, and the
waiting line that keeps callers in arrival order across processes (real Postgres and Redis)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
import redis

from campaigns.errors import ValidationError
from campaigns.report_filter import ReportFilter
from campaigns.storage import inbound_store
from campaigns.storage.inbound_store import InboundOutcome
from campaigns.storage.reports.inbound import inbound_per_hour
from dialer.inbound import waiting_line
from dialer.inbound.waiting_line import WaitingLine
from tests.integration.report_data import Conn, campaign, contact, contact_list

DID = "+18005550100"
NOW = datetime(2026, 11, 2, 10, 0, tzinfo=UTC)


def offer(db: Conn, queue_id: int, caller: str, at: datetime, campaign_id: int) -> int:
    call_id, _ = inbound_store.offer_call(
        db,
        queue_id=queue_id,
        did=DID,
        caller=caller,
        campaign_id=campaign_id,
        sip_call_id=f"call-{caller}",
        worker="inbound-0",
        at=at,
    )
    return call_id


def test_calls_stored_by_the_inbound_service_are_counted_by_the_inbound_report(db: Conn) -> None:
    c = campaign(db, "Help")
    q = inbound_store.add_queue(db, "Help line", c, [DID])
    answered = offer(db, q, "+12125550001", NOW, c)
    inbound_store.record_answered(db, answered, agent_id=None, at=NOW + timedelta(seconds=4))  # type: ignore[arg-type]
    inbound_store.finish_call(db, answered, InboundOutcome.ANSWERED, NOW + timedelta(seconds=60))
    gone = offer(db, q, "+12125550002", NOW, c)
    inbound_store.finish_call(db, gone, InboundOutcome.ABANDONED, NOW + timedelta(seconds=30))
    inbound_store.record_rejected(
        db, did=DID, caller="+12125550003", sip_call_id="x", worker="inbound-0", at=NOW
    )
    db.commit()

    (hour,) = inbound_per_hour(db, ReportFilter((c,), date(2026, 11, 2), date(2026, 11, 2), "UTC"))

    assert (hour.offered, hour.answered, hour.abandoned) == (2, 1, 1)
    assert hour.asa_s == pytest.approx(4)


def test_an_outcome_is_written_once(db: Conn) -> None:
    c = campaign(db, "Once")
    q = inbound_store.add_queue(db, "Once", c, [DID])
    call = offer(db, q, "+12125550001", NOW, c)
    assert inbound_store.finish_call(db, call, InboundOutcome.ABANDONED, NOW)
    assert not inbound_store.finish_call(db, call, InboundOutcome.ANSWERED, NOW)
    assert db.execute("SELECT outcome FROM inbound_calls").fetchall() == [("abandoned",)]


def test_a_known_caller_is_found_for_the_screen_pop(db: Conn) -> None:
    c = campaign(db, "Pop")
    known = contact(db, c, contact_list(db, c, "calls"), "+12125550009")
    q = inbound_store.add_queue(db, "Pop", c, [DID])
    _, popped = inbound_store.offer_call(
        db, queue_id=q, did=DID, caller="+12125550009", campaign_id=c,
        sip_call_id="a", worker="w", at=NOW,
    )  # fmt: skip
    assert popped == known


def test_a_number_already_routed_is_refused(db: Conn) -> None:
    c = campaign(db, "Twice")
    inbound_store.add_queue(db, "First", c, [DID])
    with pytest.raises(ValidationError):
        inbound_store.add_queue(db, "Second", c, [DID])


def test_a_callback_makes_the_caller_a_callback_contact_but_never_touches_a_dnc_one(
    db: Conn,
) -> None:
    c = campaign(db, "Callbacks")
    blocked = contact(db, c, contact_list(db, c, "calls"), "+12125550002", state="dnc")
    made = inbound_store.schedule_callback(db, c, "+12125550001", ("America/New_York",), NOW)
    again = inbound_store.schedule_callback(db, c, "+12125550001", ("America/New_York",), NOW)
    kept = inbound_store.schedule_callback(db, c, "+12125550002", ("America/New_York",), NOW)
    rows = dict(db.execute("SELECT id, state FROM contacts").fetchall())
    assert made == again and rows[made] == "callback"
    assert kept == blocked and rows[blocked] == "dnc"


def test_the_waiting_line_keeps_arrival_order_and_drops_callers_of_dead_processes(
    redis_url: str,
) -> None:
    client = redis.Redis.from_url(redis_url)
    line = WaitingLine(client, queue_id=7)
    line.join(2, 200.0)
    line.join(1, 100.0)
    line.join(3, 300.0)
    assert [line.place(i).position for i in (1, 2, 3)] == [0, 1, 2]  # type: ignore[union-attr]
    client.delete(f"{waiting_line.PREFIX}:alive:1")  # caller 1's process died
    assert line.place(2) == waiting_line.Place(position=0, waiting=2)
    line.leave(2)
    assert line.place(3) == waiting_line.Place(position=0, waiting=1)
