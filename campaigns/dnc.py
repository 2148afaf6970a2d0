"""Do-not-call entries: a number no campaign (global list) or one campaign may dial."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import phonenumbers

from campaigns.errors import ValidationError


@dataclass(frozen=True)
class DncEntry:
    id: int
    # None: the global list, honoured by every campaign.
    campaign_id: int | None
    phone_e164: str
    source: str
    added_at: datetime
    added_by: int | None


def normalise_number(number: str, region: str = "US") -> str:
    """The number in E.164. Possible (not only assigned) numbers are accepted: a DNC list must
    be able to hold any number a person asked us not to call."""
    try:
        parsed = phonenumbers.parse(number, region)
    except phonenumbers.NumberParseException:
        raise ValidationError([f"phone: {number!r} is not a phone number"]) from None
    if not phonenumbers.is_possible_number(parsed):
        raise ValidationError([f"phone: {number!r} is not a possible phone number"])
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)
