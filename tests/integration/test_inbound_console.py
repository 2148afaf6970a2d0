"""Inbound calls on the agent's console, against real PostgreSQL and Redis: the screen pop of a
known and of an unknown caller (caller, number called, queue, time waited, the contact's record
and history as for an outbound call), and the disposition stored on the inbound call with the
agent leaving wrap-up. Answers are checked against the OpenAPI document."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from campaigns.agents import Agent, AgentState
from campaigns.campaign import Campaign
from campaigns.storage import inbound_store
from campaigns.storage.db import Connection
from dialer import call_commands
from dialer.agents.service import AgentService
from dialer.bootstrap import redis_client
from tests.agent_fixtures import agents
from tests.console_support import (
    PHONE,
    connected_call,
    end_inbound,
    inbound_call,
    row,
    talked_call,
)
from tests.dashboard_fixtures import DashboardClient
from tests.integration.console_fixtures import (
    alice,
    bob,
    campaign,
    contact,
)

__all__ = ["agents", "alice", "bob", "campaign", "contact"]

DID = "+18005550100"
STRANGER = "+13125550199"
POP = "/inbound-calls/{call_id}/screen-pop"
DISPOSE = "/inbound-calls/{call_id}/disposition"
ACTION = "/inbound-calls/{call_id}/call-action"
HANGUP = "/inbound-calls/{call_id}/hangup"


@pytest.fixture
def queue(db: Connection, campaign: Campaign) -> int:
    return inbound_store.add_queue(db, "Help line", campaign.id, [DID])


def _tomorrow_noon_in_new_york() -> datetime:
    zone = ZoneInfo("America/New_York")
    tomorrow = datetime.now(zone).date() + timedelta(days=1)
    return datetime(tomorrow.year, tomorrow.month, tomorrow.day, 12, tzinfo=zone)


def test_a_known_callers_record_pops_with_custom_fields_history_and_the_wait(
    db: Connection,
    agents: AgentService,
    sign_in: Callable[..., DashboardClient],
    alice: Agent,
    campaign: Campaign,
    contact: int,
    queue: int,
    check: Any,
) -> None:
    earlier = talked_call(db, agents, alice, campaign, contact)
    client = sign_in(alice)
    client.send_json(
        "POST",
        f"/api/v1/attempts/{earlier.attempt_id}/disposition",
        {"code": "answering_machine", "notes": "try evenings"},
    )
    call = inbound_call(db, agents, alice, campaign.id, queue, PHONE, waited_s=20, log_in=False)

    status = check("GET", "/agent/status", client.get("/api/v1/agent/status"))
    assert (status["state"], status["attempt_id"]) == ("on_call", call.reference)
    assert status["inbound_call_id"] == call.call_id
    assert status["call"]["kind"] == "inbound"
    assert status["call"]["contact_name"] == "Grace Hopper"

    pop = check("GET", POP, client.get(f"/api/v1/inbound-calls/{call.call_id}/screen-pop"))
    inbound = pop["inbound"]
    assert (inbound["caller_number"], inbound["did"], inbound["queue_name"]) == (
        PHONE,
        DID,
        "Help line",
    )
    assert inbound["waited_s"] == pytest.approx(20, abs=0.2)
    assert inbound["known_caller"] is True
    # Exactly what the outbound screen pop shows of the contact.
    assert pop["contact"]["id"] == contact
    assert pop["contact"]["custom_fields"] == {"plan": "gold", "renewal": "2027-01"}
    [before] = pop["previous"]
    assert (before["id"], before["direction"], before["disposition"]) == (
        earlier.attempt_id,
        "outbound",
        "answering_machine",
    )
    assert before["notes"] == "try evenings"
    assert pop["attempt"]["direction"] == "inbound" and pop["attempt"]["id"] == call.call_id
    assert pop["campaign"]["id"] == campaign.id
    assert "callback" in {d["code"] for d in pop["dispositions"]}


def test_an_unknown_caller_pops_as_unknown_with_the_queue_and_the_campaigns_dispositions(
    db: Connection,
    agents: AgentService,
    sign_in: Callable[..., DashboardClient],
    alice: Agent,
    campaign: Campaign,
    contact: int,
    queue: int,
    check: Any,
) -> None:
    call = inbound_call(db, agents, alice, campaign.id, queue, STRANGER, waited_s=5)
    client = sign_in(alice)
    pop = check("GET", POP, client.get(f"/api/v1/inbound-calls/{call.call_id}/screen-pop"))
    assert pop["contact"] is None and pop["previous"] == []
    assert pop["inbound"]["known_caller"] is False
    assert pop["inbound"]["caller_number"] == STRANGER
    assert pop["inbound"]["waited_s"] == pytest.approx(5, abs=0.2)
    assert pop["attempt"]["called_number"] == STRANGER
    assert "do_not_call" in {d["code"] for d in pop["dispositions"]}


def test_a_known_callers_disposition_is_stored_on_the_inbound_call_and_schedules_a_callback(
    db: Connection,
    agents: AgentService,
    sign_in: Callable[..., DashboardClient],
    alice: Agent,
    campaign: Campaign,
    contact: int,
    queue: int,
    check: Any,
) -> None:
    call = inbound_call(db, agents, alice, campaign.id, queue, PHONE)
    client = sign_in(alice)
    url = f"/api/v1/inbound-calls/{call.call_id}/disposition"
    body = {
        "code": "callback",
        "notes": "wants the gold plan explained",
        "callback_at": _tomorrow_noon_in_new_york().isoformat(),
        "callback_for_me": True,
    }
    still_open = client.send_json("POST", url, body)  # the caller is still on the line
    assert check("POST", DISPOSE, still_open)["retry"] is True
    assert still_open.status_code == 409

    end_inbound(db, agents, call)
    assert agents.status(alice.id).state is AgentState.WRAP_UP  # as after an outbound call
    done = check("POST", DISPOSE, client.send_json("POST", url, body))
    assert (done["inbound_call_id"], done["attempt_id"]) == (call.call_id, call.reference)
    assert done["contact"]["state"] == "callback"
    assert done["contact"]["callback_agent_id"] == alice.id
    assert done["agent_state"] == "ready"
    assert agents.status(alice.id).state is AgentState.READY
    assert row(
        db,
        "SELECT disposition, notes, disposition_by IS NOT NULL, disposition_at IS NOT NULL"
        " FROM inbound_calls WHERE id = %s",
        call.call_id,
    ) == ("callback", "wants the gold plan explained", True, True)
    assert row(db, "SELECT state, callback_agent_id FROM contacts WHERE id = %s", contact) == (
        "callback",
        alice.id,
    )
    again = client.send_json("POST", url, {"code": "sale"})
    assert again.status_code == 409  # dispositioned once


def test_an_unknown_caller_cannot_be_called_back_but_can_be_put_on_the_dnc_list(
    db: Connection,
    agents: AgentService,
    sign_in: Callable[..., DashboardClient],
    alice: Agent,
    campaign: Campaign,
    queue: int,
    check: Any,
) -> None:
    call = inbound_call(db, agents, alice, campaign.id, queue, STRANGER)
    end_inbound(db, agents, call)
    client = sign_in(alice)
    url = f"/api/v1/inbound-calls/{call.call_id}/disposition"
    callback = {"code": "callback", "callback_at": _tomorrow_noon_in_new_york().isoformat()}
    refused = client.send_json("POST", url, callback)
    assert refused.status_code == 400
    assert "needs a known caller" in refused.json["problems"][0]
    done = check("POST", DISPOSE, client.send_json("POST", url, {"code": "do_not_call"}))
    assert done["added_to_dnc"] is True and done["contact"] is None
    assert row(
        db,
        "SELECT count(*) FROM dnc_entries WHERE campaign_id = %s AND phone_e164 = %s",
        campaign.id,
        STRANGER,
    ) == (1,)
    assert agents.status(alice.id).state is AgentState.READY


def test_another_agents_inbound_call_is_not_found(
    db: Connection,
    agents: AgentService,
    sign_in: Callable[..., DashboardClient],
    alice: Agent,
    bob: Agent,
    campaign: Campaign,
    queue: int,
) -> None:
    call = inbound_call(db, agents, alice, campaign.id, queue, STRANGER)
    end_inbound(db, agents, call)
    client = sign_in(bob)
    assert client.get(f"/api/v1/inbound-calls/{call.call_id}/screen-pop").status_code == 404
    url = f"/api/v1/inbound-calls/{call.call_id}/disposition"
    assert client.send_json("POST", url, {"code": "sale"}).status_code == 404
    assert client.get("/api/v1/inbound-calls/999999/screen-pop").status_code == 404


def test_the_outbound_screen_pop_shows_the_contacts_earlier_inbound_call(
    db: Connection,
    agents: AgentService,
    sign_in: Callable[..., DashboardClient],
    alice: Agent,
    campaign: Campaign,
    contact: int,
    queue: int,
    check: Any,
) -> None:
    call = inbound_call(db, agents, alice, campaign.id, queue, PHONE)
    end_inbound(db, agents, call)
    client = sign_in(alice)
    url = f"/api/v1/inbound-calls/{call.call_id}/disposition"
    client.send_json("POST", url, {"code": "not_interested", "notes": "called to complain"})
    # The contact is done now; put it back to be dialed, and call it.
    db.execute("UPDATE contacts SET state = 'dialable' WHERE id = %s", (contact,))
    outbound = connected_call(db, agents, alice, campaign, contact, log_in=False)
    pop = check(
        "GET",
        "/attempts/{attempt_id}/screen-pop",
        client.get(f"/api/v1/attempts/{outbound.attempt_id}/screen-pop"),
    )
    [before] = pop["previous"]
    assert (before["direction"], before["id"], before["disposition_label"]) == (
        "inbound",
        call.call_id,
        "Not interested",
    )
    assert before["notes"] == "called to complain" and before["agent_name"] == "Alice"
    assert pop["inbound"] is None


def test_the_agent_on_an_inbound_call_holds_mutes_dials_digits_and_hangs_up_through_its_process(
    db: Connection,
    agents: AgentService,
    sign_in: Callable[..., DashboardClient],
    alice: Agent,
    bob: Agent,
    campaign: Campaign,
    queue: int,
    redis_url: str,
    check: Any,
) -> None:
    call = inbound_call(db, agents, alice, campaign.id, queue, STRANGER)
    client = sign_in(alice)
    url = f"/api/v1/inbound-calls/{call.call_id}/call-action"
    for body in (
        {"action": "hold"},
        {"action": "resume"},
        {"action": "mute"},
        {"action": "dtmf", "digits": "5#"},
    ):
        response = client.send_json("POST", url, body)
        assert response.status_code == 202, (body, response.json)
        sent = check("POST", ACTION, response)
        assert sent == {"attempt_id": -call.call_id, "command": body["action"]}
    transfer = client.send_json("POST", url, {"action": "transfer", "destination": STRANGER})
    assert transfer.status_code == 409
    assert client.send_json("POST", url, {"action": "fly"}).status_code == 400
    assert sign_in(bob).send_json("POST", url, {"action": "hold"}).status_code == 404
    hangup = f"/api/v1/inbound-calls/{call.call_id}/hangup"
    response = client.send_json("POST", hangup)
    assert response.status_code == 202
    assert check("POST", HANGUP, response) == {"attempt_id": -call.call_id, "command": "hangup"}
    # The inbound process reads the call's commands under its reference (the id negated).
    raw = redis_client(redis_url).lrange(call_commands.command_key(-call.call_id), 0, -1)
    sent_commands = [json.loads(text) for text in raw]
    assert [c["command"] for c in sent_commands] == ["hold", "resume", "mute", "dtmf", "hangup"]
    assert sent_commands[3]["digits"] == "5#"
    assert {c["requested_by"] for c in sent_commands} == {f"agent {alice.id}"}

    end_inbound(db, agents, call)  # alice in wrap-up still holds the call; it is over
    over = client.send_json("POST", url, {"action": "hold"})
    assert over.status_code == 409
    check("POST", ACTION, over)
    assert client.send_json("POST", hangup).status_code == 409
