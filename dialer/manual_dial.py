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

from campaigns.agents import AgentState
from campaigns.errors import Conflict, NotFound
from campaigns.storage import campaign_store, preview_store
from dialer.agents.service import AgentService, ConnectionSource
from dialer.dial_queue import DialSender
from dialer.preview import DIAL_EXPIRY_S, Dialed, DialRefused

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
                    why = preview_store.refusal(conn, campaign, contact_id, now)
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
