"""Click-to-call: an agent calls one contact now, from the contact's record (issue 11).

The same rules as every other dial, checked with the contact's row locked: DNC lists, the calling
window in every zone of the contact, the attempt cap, the rule set's cool-down after an
abandoned call, the campaign running, the contact open and not already being called. A refusal
raises DialRefused with the reason, and nothing changes. Allowed, the agent is reserved for the
new 'manual' attempt before the commit (so they are free and get no other call meanwhile), and
the worker bridges that agent, exactly as for a preview Dial (dialer.preview).
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from campaigns.agent_dial_rules import DialSubject, refusal
from campaigns.agents import AgentState
from campaigns.contact_import.phones import Phone, PhoneNormaliser
from campaigns.errors import Conflict, NotFound
from campaigns.storage import campaign_store, number_dial_store, preview_store
from dialer.agents.service import AgentService, ConnectionSource
from dialer.dial_queue import DialSender
from dialer.preview import DIAL_EXPIRY_S, Dialed, DialRefused, contact_refusal

log = logging.getLogger(__name__)


class _Undo(Exception):
    pass


class ManualDial:
    def __init__(self, db: ConnectionSource, agents: AgentService, sender: DialSender) -> None:
        self.db = db
        self.agents = agents
        self.sender = sender

    def call_contact(self, agent_id: int, contact_id: int, now: datetime) -> Dialed:
        status = self.agents.status(agent_id)
        if status.state is not AgentState.READY:
            raise Conflict(f"not dialed: go ready first (you are {status.state.value})")
        expires = now + timedelta(seconds=DIAL_EXPIRY_S)
        with self.db.connection() as conn:
            try:
                with conn.transaction():
                    locked = preview_store.lock_contact(conn, contact_id)
                    if locked is None:
                        raise NotFound(f"no contact with id {contact_id}")
                    campaign_id, in_call = locked
                    if campaign_id not in status.campaigns:
                        raise Conflict("not dialed: you are not working this contact's campaign")
                    campaign = campaign_store.get_campaign(conn, campaign_id)
                    why = contact_refusal(conn, campaign, contact_id, now)
                    if why is not None:
                        raise DialRefused(f"not dialed: {why}")
                    if in_call:
                        raise Conflict("not dialed: the contact is being called or previewed")
                    preview_store.take_contact(conn, contact_id)
                    attempt_id = preview_store.create_agent_attempt(
                        conn,
                        campaign_id,
                        contact_id,
                        agent_id,
                        now,
                        kind="manual",
                        expires_at=expires,
                    )
                    if self.agents.claim(campaign_id, attempt_id, now, agent_id) is None:
                        raise _Undo
            except _Undo:
                raise Conflict("not dialed: you are no longer ready") from None
        self.sender.dial(attempt_id, DIAL_EXPIRY_S)
        log.info("agent %s calls contact %s (attempt %s)", agent_id, contact_id, attempt_id)
        return Dialed(attempt_id)

    def call_number(self, agent_id: int, campaign_id: int, number: str, now: datetime) -> Dialed:
        """Call an E.164 number for a campaign (speed dial): as the contact when the campaign has
        one with this number, else as a bare number under the same rules
        (campaigns.storage.number_dial_store); the call goes out on the campaign's trunk."""
        with self.db.connection() as conn:
            contact_id = number_dial_store.contact_with_number(conn, campaign_id, number)
        if contact_id is not None:
            return self.call_contact(agent_id, contact_id, now)
        status = self.agents.status(agent_id)
        if status.state is not AgentState.READY:
            raise Conflict(f"not dialed: go ready first (you are {status.state.value})")
        if campaign_id not in status.campaigns:
            raise Conflict("not dialed: you are not working this campaign")
        expires = now + timedelta(seconds=DIAL_EXPIRY_S)
        with self.db.connection() as conn:
            try:
                with conn.transaction():
                    campaign = campaign_store.get_campaign(conn, campaign_id)
                    zones = _zones(number, campaign.spec.default_region, campaign.spec.timezone)
                    number_dial_store.lock_number(conn, campaign_id, number)
                    facts = number_dial_store.dial_facts(conn, campaign_id, number, zones)
                    why = (
                        refusal(facts, campaign.spec, now, DialSubject.NUMBER)
                        if facts is not None
                        else "the campaign no longer exists"
                    )
                    if why is not None:
                        raise DialRefused(f"not dialed: {why}")
                    attempt_id = number_dial_store.create_number_attempt(
                        conn, campaign_id, number, agent_id, now, expires
                    )
                    if self.agents.claim(campaign_id, attempt_id, now, agent_id) is None:
                        raise _Undo
            except _Undo:
                raise Conflict("not dialed: you are no longer ready") from None
        self.sender.dial(attempt_id, DIAL_EXPIRY_S)
        log.info(
            "agent %s calls %s for campaign %s (attempt %s)",
            agent_id,
            number,
            campaign_id,
            attempt_id,
        )
        return Dialed(attempt_id)


def _zones(number: str, region: str, campaign_zone: str) -> tuple[str, ...]:
    """The number's candidate zones; the campaign's own zone when libphonenumber knows none."""
    phone = PhoneNormaliser().normalise(number, region)
    if isinstance(phone, Phone) and phone.zones:
        return phone.zones
    return (campaign_zone,)
