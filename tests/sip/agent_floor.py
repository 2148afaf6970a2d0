"""A call-centre floor for sip-tier tests: a campaign on a sipp carrier, agents with real phones
(our softphone, baresip), their live state, and the dial workers around them."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from datetime import UTC, datetime

from campaigns.agents import Agent, AgentState
from campaigns.campaign import Campaign
from campaigns.storage.db import Connection
from dialer.agents.model import LiveStatus
from dialer.agents.service import AgentService, OneConnection
from dialer.bootstrap import redis_client
from dialer.carrier import SippCarrier
from tests.agent_factories import make_agent, make_pause_codes
from tests.factories import make_campaign, make_contacts
from tests.sip.workers_harness import queue_attempts

# What one stored attempt looks like (workers_harness.wait_ended's columns).
STATE, OUTCOME, SIP_STATUS, DIAL_AT, RING_AT, ANSWER_AT, HANGUP_AT, WORKER = range(8)
AGENT_ID, AGENT_CONNECT_AT, MESSAGE_START_AT = 8, 9, 10


@dataclass
class Floor:
    db: Connection
    redis_url: str
    campaign: Campaign
    service: AgentService
    agents: dict[str, Agent] = field(default_factory=dict)

    @classmethod
    def on(cls, db: Connection, redis_url: str, carrier: SippCarrier, **spec: object) -> Floor:
        make_pause_codes(db, "break", "lunch")
        campaign = make_campaign(db, "Floor", trunk_uri=carrier.uri_template, **spec)
        service = AgentService(redis_client(redis_url), OneConnection(db))
        service.ensure_built(datetime.now(UTC))
        return cls(db, redis_url, campaign, service)

    def agent(self, username: str, sip_uri: str, ready: bool = True) -> Agent:
        """An agent whose phone is at ``sip_uri``, logged in (and ready: longest idle first)."""
        made = make_agent(self.db, username, [self.campaign], sip_uri=sip_uri)
        self.agents[username] = made
        self.service.login(made.id, datetime.now(UTC))
        if ready:
            self.service.ready(made.id, datetime.now(UTC))
            time.sleep(0.01)  # distinct idle times: the claim order is the readiness order
        return made

    def status(self, username: str) -> LiveStatus:
        return self.service.status(self.agents[username].id)

    def wait_state(self, who: str | int, state: AgentState, timeout: float = 20) -> LiveStatus:
        """Wait for the agent (username or id) to be in ``state``."""
        agent_id = who if isinstance(who, int) else self.agents[who].id
        deadline = time.monotonic() + timeout
        while True:
            status = self.service.status(agent_id)
            if status.state is state:
                return status
            if time.monotonic() > deadline:
                raise AssertionError(f"agent {who} is {status.state} ({status}), not {state}")
            time.sleep(0.05)

    def attempts(
        self, *numbers: str, first_name: str = "Ada", zone: str = "America/New_York"
    ) -> list[int]:
        contacts = make_contacts(
            self.db, self.campaign, list(numbers), [zone], first_name=first_name
        )
        return queue_attempts(self.db, self.campaign.id, contacts)


def between(row: tuple[object, ...], start: int, end: int) -> float:
    """Seconds from one stored time of the attempt to another."""
    first, last = row[start], row[end]
    assert isinstance(first, datetime) and isinstance(last, datetime), row
    return (last - first).total_seconds()


def wait_answers(customer: SippCarrier, count: int) -> list[int]:
    deadline = time.monotonic() + 5  # sipp flushes its message log about once a second
    while len(ports := customer.answered_media_ports()) < count and time.monotonic() < deadline:
        time.sleep(0.1)
    return ports
