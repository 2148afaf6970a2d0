"""Preview dialing: a ready agent sees one contact, then dials it or skips it.

The contact is claimed by the scheduler's own claim statement (every compliance rule, SKIP
LOCKED), held as a queued 'preview' attempt with no expiry, and the agent is reserved for that
attempt in Redis in the same step: no worker can give the agent another call while they read, and
no other agent can be shown the same contact. Dial checks the rules again (the agent may have read
for minutes), gives the attempt a short expiry and hands it to a worker, which dials the customer
and bridges the agent already reserved (dialer.dialing.claimer: the pre-assigned agent). Skip,
pause and log-out close the preview as cancelled (never dialed, no attempt used up) and free the
agent.

A preview held past the campaign's `preview_timeout_s` (the agent walked away, the browser closed)
is released by the scheduler's sweep (`release_expired_previews`), or at once by a Dial or a
look at the card after the limit: the contact goes back untouched and the agent is paused
("preview_expired"), so an empty chair is offered nothing more. The sweep and a Dial at the same
instant compare-and-set the same row: the agent either dials or is told the preview expired.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from campaigns.agent_dial_rules import DialSubject, refusal
from campaigns.agent_history import SystemPause
from campaigns.agents import AgentState
from campaigns.attempt import AttemptState
from campaigns.campaign import Campaign, CampaignState, DialMode
from campaigns.errors import Conflict
from campaigns.preview_hold import PreviewHold, closed_by_expiry, expired_holds, is_expired
from campaigns.storage import campaign_store, claim_store, preview_store
from campaigns.storage.db import Connection
from dialer.agents.service import AgentService, ConnectionSource, HandBack
from dialer.dial_queue import DialSender

log = logging.getLogger(__name__)

# A dial the agent asked for and no worker took within this is dropped (as the scheduler's).
DIAL_EXPIRY_S = 15.0
# A skipped contact waits this long before anyone is shown it again, so "next" is another one.
SKIP_HOLD = timedelta(minutes=15)


class DialRefused(Conflict):
    """A compliance rule forbids dialing the previewed contact now (the message says which)."""


class PreviewExpired(Conflict):
    """The preview was held past its limit: the contact went back and the agent was paused."""


EXPIRED_HINT = "the contact went back in line and you were paused: go ready for the next one"


@dataclass(frozen=True)
class Dialed:
    attempt_id: int


class PreviewService:
    def __init__(self, db: ConnectionSource, agents: AgentService, sender: DialSender) -> None:
        self.db = db
        self.agents = agents
        self.sender = sender

    def current(self, agent_id: int, now: datetime) -> int | None:
        """The attempt this agent is previewing: the one held, else a new contact claimed when
        the agent is ready on a preview campaign; None when there is nothing to show."""
        held = self._held(agent_id, now)
        if held is not None:
            if not is_expired(held, now):
                return held.attempt_id
            expire_hold(self.agents, held, now)
            return None  # the agent is paused now: nothing more until they go ready
        status = self.agents.status(agent_id)
        if status.state is AgentState.RESERVED and status.attempt_id is not None:
            self._free_if_over(agent_id, status.attempt_id, now)
            status = self.agents.status(agent_id)
        if status.state is not AgentState.READY:
            return None
        for campaign_id in sorted(status.campaigns):
            attempt_id = self._claim(agent_id, campaign_id, now)
            if attempt_id is not None:
                return attempt_id
        return None

    def dial(self, agent_id: int, now: datetime) -> Dialed:
        """Dial the previewed contact; DialRefused (and the preview released) when a rule
        forbids it now."""
        held = self._held(agent_id, now)
        if held is None:
            if self._paused_by_expiry(agent_id):
                raise PreviewExpired(f"not dialed: this preview expired; {EXPIRED_HINT}")
            raise Conflict("no previewed contact to dial")
        if is_expired(held, now):
            expire_hold(self.agents, held, now)
            raise PreviewExpired(f"not dialed: {held.why_expired}; {EXPIRED_HINT}")
        with self.db.connection() as conn:
            campaign = campaign_store.get_campaign(conn, held.campaign_id)
            why = (
                contact_refusal(conn, campaign, held.contact_id, now)
                if held.contact_id is not None
                else "the contact no longer exists"
            )
            if why is None:
                expires = now + timedelta(seconds=DIAL_EXPIRY_S)
                if not preview_store.mark_to_dial(conn, held.attempt_id, agent_id, expires):
                    # The sweep (or a release) closed it first: say why, never dial it.
                    closed = preview_store.closed_reason(conn, held.attempt_id)
                    if closed_by_expiry(closed):
                        raise PreviewExpired(f"not dialed: {closed}; {EXPIRED_HINT}")
                    raise Conflict("the previewed contact was released meanwhile")
        if why is not None:
            self._close(agent_id, held.attempt_id, f"not dialed: {why}", now, now)
            raise DialRefused(f"not dialed: {why}")
        self.sender.dial(held.attempt_id, DIAL_EXPIRY_S)  # after the commit: a worker must find it
        log.info("agent %s dials preview attempt %s", agent_id, held.attempt_id)
        return Dialed(held.attempt_id)

    def skip(self, agent_id: int, reason: str | None, now: datetime) -> None:
        with self.db.connection() as conn:
            held = preview_store.held_preview(conn, agent_id)
        if held is None:
            raise Conflict("no previewed contact to skip")
        why = f"skipped by the agent: {reason}" if reason else "skipped by the agent"
        self._close(agent_id, held.attempt_id, why, now, now + SKIP_HOLD)

    def release(self, agent_id: int, now: datetime) -> bool:
        """The agent pauses or leaves: an undialed preview goes back at once. True if one did."""
        return release_preview(self.agents, agent_id, now)

    def _paused_by_expiry(self, agent_id: int) -> bool:
        """The agent's preview expired: they are paused for it, or still reserved for a preview
        the sweep has just closed (it frees the agent right after its commit)."""
        status = self.agents.status(agent_id)
        if status.state is AgentState.PAUSED:
            return status.reason == SystemPause.PREVIEW_EXPIRED.value
        if status.state is AgentState.RESERVED and status.attempt_id is not None:
            with self.db.connection() as conn:
                return closed_by_expiry(preview_store.closed_reason(conn, status.attempt_id))
        return False

    def _held(self, agent_id: int, now: datetime) -> PreviewHold | None:
        """The agent's held preview, if they are still reserved for it. A preview whose agent
        lost the reservation (the live state was rebuilt after a Redis loss) goes back: dialed,
        it would find no agent to bridge."""
        with self.db.connection() as conn:
            held = preview_store.held_preview(conn, agent_id)
        if held is None:
            return None
        status = self.agents.status(agent_id)
        if status.state is AgentState.RESERVED and status.attempt_id == held.attempt_id:
            return held
        log.warning("agent %s lost preview attempt %s: released", agent_id, held.attempt_id)
        with self.db.connection() as conn:
            preview_store.close_preview(
                conn, held.attempt_id, "released: agent not reserved", now, now
            )
        return None

    def _claim(self, agent_id: int, campaign_id: int, now: datetime) -> int | None:
        with self.db.connection() as conn:
            campaign = campaign_store.get_campaign(conn, campaign_id)
            if (
                campaign.spec.dial_mode is not DialMode.PREVIEW
                or campaign.state is not CampaignState.RUNNING
                or not campaign.spec.schedule.is_open(now, ZoneInfo(campaign.spec.timezone))
            ):
                return None
            try:
                with conn.transaction():
                    contact = claim_store.claim_preview_contact(conn, campaign, agent_id, now)
                    if contact is None:
                        return None
                    attempt_id = preview_store.create_agent_attempt(
                        conn, campaign_id, contact.contact_id, agent_id, now
                    )
                    # Reserve the agent before the commit: if they are no longer ready (a click
                    # elsewhere, another claim), the contact is never taken.
                    if self.agents.claim(campaign_id, attempt_id, now, agent_id) is None:
                        raise _NoLongerReady
            except _NoLongerReady:
                return None
        return attempt_id

    def _close(
        self, agent_id: int, attempt_id: int, why: str, now: datetime, back: datetime
    ) -> None:
        _close(self.agents, agent_id, attempt_id, why, now, back)

    def _free_if_over(self, agent_id: int, attempt_id: int, now: datetime) -> None:
        """A preview or manual dial no worker took in time ends with no worker to free its agent."""
        with self.db.connection() as conn:
            row = preview_store.state_and_kind(conn, attempt_id)
        if row is not None and row[0] == AttemptState.ENDED and row[1] in ("preview", "manual"):
            self.agents.release(agent_id, attempt_id, HandBack.UNUSED, now)


class _NoLongerReady(Exception):
    pass


def release_preview(
    agents: AgentService,
    agent_id: int,
    now: datetime,
    *,
    why: str = "released: the agent left",
    how: HandBack = HandBack.UNUSED,
) -> bool:
    """Give back the contact an agent is previewing (a pause or log-out from the console, the
    CLI or a supervisor): the reservation ends unused, so a noted pause or log-out applies.
    Signing out of the dashboard passes HOLD_EXPIRED: nobody is left to look at the next one."""
    with agents.db.connection() as conn:
        held = preview_store.held_preview(conn, agent_id)
    if held is None:
        return False
    _close(agents, agent_id, held.attempt_id, why, now, now, how)
    return True


def _close(
    agents: AgentService,
    agent_id: int,
    attempt_id: int,
    why: str,
    now: datetime,
    back: datetime,
    how: HandBack = HandBack.UNUSED,
) -> None:
    with agents.db.connection() as conn:
        preview_store.close_preview(conn, attempt_id, why, now, back)
    agents.release(agent_id, attempt_id, how, now)


def release_expired_previews(
    conn: Connection, agents: AgentService, now: datetime
) -> list[PreviewHold]:
    """The scheduler's sweep: give back every preview held past its campaign's limit and pause
    its agent. Returns the holds this call released (a Dial or skip that won is not among them)."""
    return [
        hold
        for hold in expired_holds(preview_store.undialed_previews(conn), now)
        if _expire(conn, agents, hold, now)
    ]


def expire_hold(agents: AgentService, hold: PreviewHold, now: datetime) -> bool:
    """Release one expired hold (see release_expired_previews); False if it was no longer held."""
    with agents.db.connection() as conn:
        return _expire(conn, agents, hold, now)


def _expire(conn: Connection, agents: AgentService, hold: PreviewHold, now: datetime) -> bool:
    if not preview_store.release_expired(conn, hold, now):
        return False
    log.info(
        "preview attempt %s (campaign %s, agent %s) released: %s",
        hold.attempt_id,
        hold.campaign_id,
        hold.agent_id,
        hold.why_expired,
    )
    # After the commit: from here a Dial finds no preview, and the agent is told why (paused).
    agents.release(hold.agent_id, hold.attempt_id, HandBack.HOLD_EXPIRED, now)
    return True


def contact_refusal(
    conn: Connection, campaign: Campaign, contact_id: int, now: datetime
) -> str | None:
    """Why an agent may not dial this contact now (campaigns.agent_dial_rules); None: allowed."""
    facts = preview_store.dial_facts(conn, contact_id)
    if facts is None:
        return "the contact no longer exists"
    return refusal(facts, campaign.spec, now, DialSubject.CONTACT)
