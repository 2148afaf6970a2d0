"""What an agent's disposition does to the contact: a pure decision over the campaign's rules.

- complete: the contact is done.
- retry: dialable again after the retry policy's delay (the "machine" rule when the disposition
  says no person was reached, the "no answer" rule when one was), unless the contact has used up
  the campaign's attempts.
- callback: kept for the time the agent chose, which must be in the future and inside the calling
  window in every zone the number may be in; outside it is refused with the zones, their local
  times and the earliest allowed time, or moved there when the caller asks for that. "Only me"
  keeps the callback for the agent who took the call.
- dnc: the number goes on the campaign's do-not-call list at once and the contact is blocked.
A contact already blocked as do-not-call stays so, whatever the disposition.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from campaigns.attempt import RetryableOutcome
from campaigns.calling_window import OutsideWindow, earliest_inside, outside_window
from campaigns.campaign import CampaignSpec
from campaigns.dispositions import Disposition, DispositionAction
from campaigns.errors import CampaignsError, Conflict, ValidationError
from campaigns.retry import ContactState

DNC_SOURCE = "agent disposition"


class NotYourAttempt(CampaignsError):
    """An agent tried to disposition a call that was not theirs (HTTP 403 at the edge)."""


class AttemptStillOpen(Conflict):
    """The call is still being closed by its worker: submit again in a moment."""


class CallbackOutsideWindow(ValidationError):
    def __init__(self, requested: datetime, zones: list[OutsideWindow], earliest: datetime | None):
        where = "; ".join(zone.describe() for zone in zones)
        then = f"earliest allowed {earliest.isoformat()}" if earliest else "no allowed time soon"
        super().__init__(
            [f"callback_at: {requested.isoformat()} is outside the calling hours ({where}); {then}"]
        )
        self.requested = requested
        self.zones = zones
        self.earliest = earliest


@dataclass(frozen=True)
class ContactOnCall:
    """What the decision needs of the contact called."""

    id: int
    state: ContactState
    attempts: int
    time_zones: tuple[str, ...]


@dataclass(frozen=True)
class CallbackRequest:
    at: datetime | None
    for_agent_id: int | None = None  # "only me": the agent who took the call
    move_into_window: bool = False


@dataclass(frozen=True)
class ContactChange:
    state: ContactState
    next_eligible_at: datetime | None = None
    block_reason: str | None = None
    callback_agent_id: int | None = None
    # The callback time asked for, when it was moved into the calling window.
    moved_from: datetime | None = None


def decide_after_disposition(
    disposition: Disposition,
    contact: ContactOnCall,
    campaign: CampaignSpec,
    callback: CallbackRequest,
    now: datetime,
) -> ContactChange | None:
    """The contact's new state, or None when the contact stays as it is (already do-not-call)."""
    action = disposition.action
    if action is not DispositionAction.CALLBACK and (callback.at or callback.for_agent_id):
        raise ValidationError([f"callback_at: {disposition.code!r} is not a callback disposition"])
    if contact.state is ContactState.DNC:
        return None
    if action is DispositionAction.COMPLETE:
        return ContactChange(ContactState.DONE, block_reason=f"disposition: {disposition.code}")
    if action is DispositionAction.DNC:
        return ContactChange(ContactState.DNC, block_reason=f"do not call: {DNC_SOURCE}")
    if action is DispositionAction.RETRY:
        return _retry(disposition, contact, campaign, now)
    return _callback(contact, campaign, callback, now)


def _retry(
    disposition: Disposition, contact: ContactOnCall, campaign: CampaignSpec, now: datetime
) -> ContactChange:
    key = RetryableOutcome.NO_ANSWER if disposition.human else RetryableOutcome.MACHINE
    rule = campaign.retry_policy.get(key)
    if contact.attempts >= campaign.max_attempts:
        reason = f"exhausted: {contact.attempts} of {campaign.max_attempts} attempts"
        return ContactChange(
            ContactState.EXHAUSTED, block_reason=f"{reason}, last {disposition.code}"
        )
    if rule is None:
        return ContactChange(
            ContactState.EXHAUSTED, block_reason=f"no retry rule for {key.value} in the campaign"
        )
    return ContactChange(
        ContactState.DIALABLE, next_eligible_at=now + timedelta(seconds=rule.delay_s)
    )


def _callback(
    contact: ContactOnCall, campaign: CampaignSpec, callback: CallbackRequest, now: datetime
) -> ContactChange:
    when = callback.at
    if when is None:
        raise ValidationError(["callback_at: a callback needs a time"])
    if when.tzinfo is None:
        raise ValidationError(["callback_at: give a time zone (or UTC)"])
    if when <= now:
        raise ValidationError([f"callback_at: {when.isoformat()} is not in the future"])
    moved_from = None
    outside = outside_window(when, contact.time_zones, campaign.calling_hours)
    if outside:
        earliest = earliest_inside(when, contact.time_zones, campaign.calling_hours)
        if not callback.move_into_window or earliest is None:
            raise CallbackOutsideWindow(when, outside, earliest)
        when, moved_from = earliest, when
    return ContactChange(
        ContactState.CALLBACK,
        next_eligible_at=when,
        callback_agent_id=callback.for_agent_id,
        moved_from=moved_from,
    )
