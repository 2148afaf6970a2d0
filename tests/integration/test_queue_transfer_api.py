"""Transfer to an inbound queue through the API (real PostgreSQL and Redis, no SIP): the picker
offers the campaign's own queues that have a number, the action reaches the worker's command
list only for one of them; and the inbound side links the call to the attempt only when the
attempt vouches for it."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from campaigns.agents import Agent
from campaigns.storage import inbound_store, screen_pop_query
from campaigns.storage.db import Connection
from dashboard.console_schemas import screen_pop_json
from dialer import call_commands
from dialer.agents.service import AgentService
from dialer.bootstrap import redis_client
from tests.agent_fixtures import agents
from tests.console_support import PHONE, connected_call, end_call
from tests.dashboard_fixtures import DashboardClient
from tests.factories import make_campaign, make_contacts

__all__ = ["agents"]

ACTION = "/attempts/{attempt_id}/call-action"
PICKER = "/attempts/{attempt_id}/transfer-queues"


def queued(redis_url: str, attempt_id: int) -> list[dict[str, Any]]:
    raw = redis_client(redis_url).lrange(call_commands.command_key(attempt_id), 0, -1)
    return [json.loads(text) for text in raw]


def test_an_agent_transfers_to_one_of_the_campaigns_queues_picked_from_the_list(
    db: Connection,
    agents: AgentService,
    make_agent: Callable[..., Agent],
    sign_in: Callable[..., DashboardClient],
    redis_url: str,
    check: Any,
) -> None:
    campaign = make_campaign(db, trunk_uri="sip:{number}@127.0.0.1:5999")
    other = make_campaign(db, name="Other", trunk_uri="sip:{number}@127.0.0.1:5999")
    [contact] = make_contacts(db, campaign, [PHONE])
    help_line = inbound_store.add_queue(
        db, "Help line", campaign.id, ["+18005550101", "+18005550100"]
    )
    inbound_store.add_queue(db, "No number", campaign.id, [])
    elsewhere = inbound_store.add_queue(db, "Elsewhere", other.id, ["+18005550199"])
    alice, bob = make_agent("alice", (campaign.id,)), make_agent("bob", (campaign.id,))
    call = connected_call(db, agents, alice, campaign, contact)
    client = sign_in(alice)
    picker = f"/api/v1/attempts/{call.attempt_id}/transfer-queues"
    url = f"/api/v1/attempts/{call.attempt_id}/call-action"

    listed = client.get(picker)
    assert check("GET", PICKER, listed) == {
        "queues": [{"queue_id": help_line, "name": "Help line", "did": "+18005550100"}]
    }
    for refused in (elsewhere, 999999):
        answer = client.send_json("POST", url, {"action": "transfer_queue", "queue_id": refused})
        assert answer.status_code == 409, answer.json
        assert f"queue {refused} is not one of this campaign's" in answer.json["message"]
        check("POST", ACTION, answer)
    for bad in ("Help line", 0, None):
        answer = client.send_json("POST", url, {"action": "transfer_queue", "queue_id": bad})
        assert answer.status_code == 400 and "queue_id" in json.dumps(answer.json)
    assert queued(redis_url, call.attempt_id) == []

    sent = client.send_json("POST", url, {"action": "transfer_queue", "queue_id": help_line})
    assert sent.status_code == 202, sent.json
    check("POST", ACTION, sent)
    [command] = queued(redis_url, call.attempt_id)
    assert (command["command"], command["queue_id"]) == ("transfer_queue", help_line)
    # Another agent's picker is not theirs to see.
    assert sign_in(bob).get(picker).status_code == 404


def test_the_inbound_call_links_to_the_attempt_only_when_the_attempt_vouches_for_it(
    db: Connection, agents: AgentService, make_agent: Callable[..., Agent]
) -> None:
    campaign = make_campaign(db, trunk_uri="sip:{number}@127.0.0.1:5999")
    other = make_campaign(db, name="Other", trunk_uri="sip:{number}@127.0.0.1:5999")
    [contact] = make_contacts(db, campaign, [PHONE], first_name="Ada")
    help_line = inbound_store.add_queue(db, "Help line", campaign.id, ["+18005550100"])
    alice = make_agent("alice", (campaign.id,))
    call = connected_call(db, agents, alice, campaign, contact)
    now = datetime.now(UTC)

    def offered(caller: str, queue_campaign: int, claimed: int | None) -> int | None:
        call_id, _ = inbound_store.offer_call(
            db,
            queue_id=help_line,
            did="+18005550100",
            caller=caller,
            campaign_id=queue_campaign,
            sip_call_id="x",
            worker="w",
            at=now,
            transferred_attempt=claimed,
        )
        return inbound_store.transferred_attempt(db, call_id)

    assert offered(PHONE, campaign.id, call.attempt_id) == call.attempt_id
    assert offered("+12025550111", campaign.id, call.attempt_id) is None  # not its customer
    assert offered(PHONE, other.id, call.attempt_id) is None  # another campaign's queue
    assert offered(PHONE, campaign.id, None) is None
    end_call(db, agents, call)
    assert offered(PHONE, campaign.id, call.attempt_id) is None  # the attempt is over

    # The queue agent's screen pop: the customer's contact, and where the call came from.
    [(first,)] = db.execute(
        "SELECT min(id) FROM inbound_calls WHERE transferred_attempt_id IS NOT NULL"
    ).fetchall()
    found = screen_pop_query.inbound_screen_pop(db, first, now)
    assert found is not None
    pop = screen_pop_json(found)
    assert pop["inbound"]["transferred_attempt_id"] == call.attempt_id
    assert pop["inbound"]["caller_number"] == PHONE
    assert pop["contact"]["first_name"] == "Ada"
