"""Where a contact may be: the candidate time zones of a number, narrowed by what the list says.

COMPLIANCE.md: a contact is dialed only when the local time is inside the window in every
candidate zone, so a wrong narrowing breaks the law and a missing one only delays calls. Hence:

- From the number: libphonenumber's zones (by prefix for geographic numbers, the country's for
  the others), narrowed to the zones of the number's own region for mobile and fixed lines when
  they overlap (+44 7... lists Guernsey, Jersey and Man; a GB mobile is in Europe/London).
  Toll-free and other non-geographic numbers keep every candidate: anyone may answer them.
- An explicit time-zone column wins outright: the list owner knows where the person is.
- A US ZIP code narrows the candidates to its zone when that zone (or a twin with the same
  clocks) is among them; otherwise the person has moved (mobile numbers travel), so the ZIP
  code's zone is added: both places must be inside the window.
"""

from __future__ import annotations

import re
import zoneinfo
from collections.abc import Iterable
from functools import cache
from importlib import resources

from phonenumbers import PhoneNumberType

from campaigns.contact_import.zip_zones import twin_zones, zip_zone

_REGIONAL_TYPES = frozenset(
    {PhoneNumberType.MOBILE, PhoneNumberType.FIXED_LINE, PhoneNumberType.FIXED_LINE_OR_MOBILE}
)
UNKNOWN_ZONE = "Etc/Unknown"

# Abbreviations lists use instead of zone names. Where an abbreviation covers zones with different
# clocks (Arizona keeps MST all summer), it gives both: dialing waits until both are in the window.
_ABBREVIATIONS: dict[str, tuple[str, ...]] = {
    "EASTERN": ("America/New_York",),
    "CENTRAL": ("America/Chicago",),
    "MOUNTAIN": ("America/Denver", "America/Phoenix"),
    "PACIFIC": ("America/Los_Angeles",),
    "ALASKA": ("America/Anchorage",),
    "HAWAII": ("Pacific/Honolulu",),
    "ATLANTIC": ("America/Halifax",),
    "NEWFOUNDLAND": ("America/St_Johns",),
}
for _short, _long in (
    ("E", "EASTERN"),
    ("C", "CENTRAL"),
    ("M", "MOUNTAIN"),
    ("P", "PACIFIC"),
    ("AK", "ALASKA"),
    ("HA", "HAWAII"),
    ("A", "ATLANTIC"),
    ("N", "NEWFOUNDLAND"),
):
    for _suffix in ("T", "ST", "DT"):
        _ABBREVIATIONS[_short + _suffix] = _ABBREVIATIONS[_long]
_ABBREVIATIONS["HST"] = _ABBREVIATIONS["HAWAII"]
_ABBREVIATIONS["HT"] = _ABBREVIATIONS["HAWAII"]
_ABBREVIATIONS.pop("AT", None)  # "AT" is a country code (Austria), not a zone


@cache
def _available() -> dict[str, str]:
    """IANA names by folded spelling, so 'america/new_york' finds America/New_York."""
    return {name.casefold(): name for name in zoneinfo.available_timezones()}


@cache
def region_zones(region: str) -> frozenset[str]:
    """The zones the tz database lists for a country (zone.tab)."""
    return _zone_table().get(region, frozenset())


@cache
def _zone_table() -> dict[str, frozenset[str]]:
    text = resources.files("tzdata.zoneinfo").joinpath("zone.tab").read_text(encoding="utf-8")
    table: dict[str, set[str]] = {}
    for line in text.splitlines():
        if line and not line.startswith("#"):
            fields = line.split("\t")
            table.setdefault(fields[0], set()).add(fields[2])
    return {region: frozenset(zones) for region, zones in table.items()}


def explicit_zones(text: str) -> tuple[str, ...] | None:
    """A time-zone cell as zone names, or None when it names no zone we know."""
    cleaned = text.strip()
    if not cleaned:
        return None
    if "/" not in cleaned:
        # Before the tz database: its "EST" and "MST" are fixed offsets that ignore summer time.
        abbreviation = _ABBREVIATIONS.get(re.sub(r"[^A-Z]", "", cleaned.upper()))
        if abbreviation is not None:
            return abbreviation
    name = _available().get(cleaned.casefold())
    return (name,) if name is not None else None


def number_zones(
    library_zones: Iterable[str], number_type: int, region: str | None
) -> tuple[str, ...]:
    """Candidate zones of a valid number from libphonenumber's answer (see module docstring)."""
    candidates = tuple(sorted(z for z in library_zones if z != UNKNOWN_ZONE))
    if region and number_type in _REGIONAL_TYPES and len(candidates) > 1:
        own = tuple(z for z in candidates if z in region_zones(region))
        if own:
            return own
    return candidates


def narrow_by_zip(candidates: tuple[str, ...], postal_code: str) -> tuple[str, ...]:
    place = zip_zone(postal_code)
    if place is None:
        return candidates
    twins = twin_zones(place)
    matching = tuple(z for z in candidates if z in twins)
    if matching:
        return matching
    return tuple(sorted({*candidates, place}))
