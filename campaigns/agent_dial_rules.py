"""The rules for a call an agent asks for (preview Dial, click-to-call, speed dial), pure.

The scheduler's claim applies campaigns.calling_window.block_reason in SQL over many rows; a call
an agent asks for is one number, checked at the click on facts read from PostgreSQL (the contact's
row, or for a bare number its own history in the campaign) and decided here. The agent chose the
number, so a retry not yet due does not stop it; nothing else is waived: DNC, the calling window
in every zone of the number, the attempt cap, the rule set's cool-down after an abandoned call,
the campaign running, the contact still open, no call to it already under way. Every rule that
forbids the call is named, so the agent sees all the reasons at once.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from campaigns.calling_window import all_open
from campaigns.campaign import CampaignSpec


class DialSubject(StrEnum):
    """What the agent dials: a contact of the campaign, or a bare number (speed dial)."""

    CONTACT = "contact"
    NUMBER = "number"


@dataclass(frozen=True)
class DialFacts:
    on_dnc: bool
    time_zones: tuple[str, ...]
    # Attempts counted against the campaign's cap (a bare number: its earlier bare-number calls).
    attempts: int
    last_abandoned_at: datetime | None
    campaign_running: bool
    # A contact closed as done, exhausted or DNC; a bare number has no contact to be closed.
    contact_open: bool = True
    # A call to the number not ended yet (a contact's own hold keeps it in flight: not counted).
    being_called: bool = False


def refusal(
    facts: DialFacts, campaign: CampaignSpec, now: datetime, subject: DialSubject
) -> str | None:
    """Why the agent may not dial this now, every reason joined; None when all rules allow it."""
    reasons = []
    if facts.on_dnc:
        reasons.append("the number is on a do-not-call list")
    if not all_open(now, facts.time_zones, campaign.calling_hours):
        reasons.append(f"outside the calling hours of the {subject}'s time zone")
    if facts.attempts >= campaign.max_attempts:
        reasons.append(f"the {subject} has had the campaign's maximum number of attempts")
    if not facts.campaign_running:
        reasons.append("the campaign is not running")
    if not facts.contact_open:
        reasons.append("the contact is closed (done, exhausted or do-not-call)")
    if facts.being_called:
        reasons.append("the number is being called")
    cooldown_h = campaign.rules.no_repeat_after_abandon_h
    if (
        cooldown_h is not None
        and facts.last_abandoned_at is not None
        and facts.last_abandoned_at > now - timedelta(hours=cooldown_h)
    ):
        reasons.append("an abandoned call to this number is too recent (the rule set's cool-down)")
    return "; ".join(reasons) or None
