"""Call waiting's second call gets its disposition, as any inbound call, against real
PostgreSQL and Redis: once over it is listed on the agent's call waiting card (no wrap-up:
the agent went straight back to the customer on hold), the disposition is recorded on the
inbound call, and the agent stays on the held outbound call, whose own wrap-up and
disposition follow as usual. Answers are checked against the OpenAPI document."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from campaigns.agents import Agent, AgentState
from campaigns.campaign import Campaign
from campaigns.storage import inbound_store
from campaigns.storage.db import Connection
from campaigns.storage.inbound_store import InboundOutcome
from dialer.agents.service import AgentService
from tests.agent_fixtures import agents
from tests.console_support import PHONE, connected_call, end_call, recent, row
from tests.dashboard_fixtures import DashboardClient
from tests.integration.console_fixtures import alice, bob, campaign, contact

__all__ = ["agents", "alice", "bob", "campaign", "contact"]

CALLER = "+13125550177"
CARD = "/agent/call-waiting"


@pytest.fixture
def queue(db: Connection, campaign: Campaign) -> int:
    return inbound_store.add_queue(db, "Help line", campaign.id, ["+18005550100"])


def second_call(db: Connection, agent: Agent, campaign: Campaign, queue: int) -> int:
    """What dialer.inbound.second_call does for an accepted offer: the caller answered by the
    agent (marked a second call, the agent's live state untouched), then over."""
    call_id, _ = inbound_store.offer_call(
        db,
        queue_id=queue,
        did="+18005550100",
        caller=CALLER,
        campaign_id=campaign.id,
        sip_call_id=f"second-call-{recent(40).timestamp()}",
        worker="inbound-test",
        at=recent(40),
    )
    inbound_store.record_answered(db, call_id, agent.id, recent(30), second_call=True)
    inbound_store.finish_call(db, call_id, InboundOutcome.ANSWERED, recent(10))
    return call_id


def test_a_second_call_over_is_listed_until_its_disposition_and_the_agent_stays_on_the_first(
    db: Connection,
    agents: AgentService,
    sign_in: Callable[..., DashboardClient],
    alice: Agent,
    campaign: Campaign,
    contact: int,
    queue: int,
    check: Any,
) -> None:
    first = connected_call(db, agents, alice, campaign, contact)
    client = sign_in(alice)
    assert check("GET", CARD, client.get(f"/api/v1{CARD}"))["to_dispose"] == []
    call_id = second_call(db, alice, campaign, queue)

    card = check("GET", CARD, client.get(f"/api/v1{CARD}"))
    [listed] = card["to_dispose"]
    assert (listed["inbound_call_id"], listed["caller"], listed["queue"]) == (
        call_id,
        CALLER,
        "Help line",
    )
    url = f"/api/v1/inbound-calls/{call_id}/disposition"
    done = check(
        "POST",
        "/inbound-calls/{call_id}/disposition",
        client.send_json("POST", url, {"code": "do_not_call", "notes": "asked not to be called"}),
    )
    assert done["inbound_call_id"] == call_id
    # Back on the held outbound call: still on call with it, nothing else touched.
    status = agents.status(alice.id)
    assert (status.state, status.attempt_id) == (AgentState.ON_CALL, first.attempt_id)
    assert done["agent_state"] == "on_call"
    assert row(db, "SELECT disposition, agent_id FROM inbound_calls WHERE id = %s", call_id) == (
        "do_not_call",
        alice.id,
    )
    assert client.get(f"/api/v1{CARD}").json["to_dispose"] == []
    assert client.send_json("POST", url, {"code": "sale"}).status_code == 409  # once

    # The outbound call ends: its wrap-up and disposition are the first call's, as usual.
    end_call(db, agents, first)
    assert agents.status(alice.id).state is AgentState.WRAP_UP
    disposed = client.send_json(
        "POST", f"/api/v1/attempts/{first.attempt_id}/disposition", {"code": "sale"}
    )
    assert disposed.status_code == 200, disposed.json
    assert agents.status(alice.id).state is AgentState.READY


def test_an_ordinary_inbound_call_or_another_agents_second_call_is_not_listed(
    db: Connection,
    agents: AgentService,
    sign_in: Callable[..., DashboardClient],
    alice: Agent,
    bob: Agent,
    campaign: Campaign,
    queue: int,
) -> None:
    second_call(db, bob, campaign, queue)  # Bob's, not Alice's
    call_id, _ = inbound_store.offer_call(
        db,
        queue_id=queue,
        did="+18005550100",
        caller=PHONE,
        campaign_id=campaign.id,
        sip_call_id="ordinary-inbound",
        worker="inbound-test",
        at=recent(40),
    )
    inbound_store.record_answered(db, call_id, alice.id, recent(30))  # not a second call
    inbound_store.finish_call(db, call_id, InboundOutcome.ANSWERED, recent(10))
    assert sign_in(alice).get(f"/api/v1{CARD}").json["to_dispose"] == []
