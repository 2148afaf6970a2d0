"""The numbers of an inbound call, read from its SIP URIs (pure): the number dialled, the caller's
number, and the time zones a callback to the caller is checked in."""

from __future__ import annotations

import re

import phonenumbers
from phonenumbers import timezone as number_timezone

from campaigns.contact_import.time_zones import number_zones

_E164 = re.compile(r"\+[1-9][0-9]{6,14}")
_USER = re.compile(r"sips?:([^@;>]+)@")


def number_of(uri: str) -> str:
    """The user part of a SIP URI as a number: '+15551234567', or digits given a '+'."""
    found = _USER.search(uri)
    user = found.group(1) if found else uri
    digits = "".join(ch for ch in user if ch.isdigit())
    if user.startswith("+") or (digits and len(digits) >= 7):
        return f"+{digits}" if digits else user
    return user


def is_e164(number: str) -> bool:
    """A number a callback can dial: anything else (a SIP user, a short extension) is not."""
    return _E164.fullmatch(number) is not None


def callback_zones(number: str) -> tuple[str, ...]:
    """The candidate zones of the caller's number (the calling window is checked in each)."""
    try:
        parsed = phonenumbers.parse(number, None)
    except phonenumbers.NumberParseException:
        return ()
    zones = number_zones(
        number_timezone.time_zones_for_number(parsed), phonenumbers.number_type(parsed), None
    )
    return zones
