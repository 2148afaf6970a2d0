"""One phone-number cell -> E.164, number type and candidate time zones, or why it is rejected.

libphonenumber does the parsing and its metadata the validation. What costs time in bulk is asking
the same questions twice: `is_valid_number`, `number_type` and `time_zones_for_number` each work
out the number's region and type again. Here region and type come from one pass
(number_types.py; valid means "has a type"), and the time-zone answer, a prefix lookup, is cached
by the prefix that decided it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

import phonenumbers
from phonenumbers import (
    NumberParseException,
    PhoneNumberType,
    ValidationResult,
    is_number_type_geographical,
)
from phonenumbers.tzdata import TIMEZONE_DATA, TIMEZONE_LONGEST_PREFIX

from campaigns.contact_import.fast_parse import fast_split
from campaigns.contact_import.number_types import NumberTypes
from campaigns.contact_import.time_zones import number_zones

TYPE_NAMES: dict[int, str] = {
    value: name.lower() for name, value in vars(PhoneNumberType).items() if name.isupper()
}
# The contacts table's own check: a number outside it would fail the whole import.
_E164 = re.compile(r"^\+[1-9][0-9]{6,14}$")

_PARSE_REASONS = {
    NumberParseException.INVALID_COUNTRY_CODE: "unknown country code",
    NumberParseException.NOT_A_NUMBER: "not a phone number",
    NumberParseException.TOO_SHORT_AFTER_IDD: "too short",
    NumberParseException.TOO_SHORT_NSN: "too short",
    NumberParseException.TOO_LONG: "too long",
}
_LENGTH_REASONS = {
    ValidationResult.TOO_SHORT: "too short for {region}",
    ValidationResult.TOO_LONG: "too long for {region}",
    ValidationResult.INVALID_LENGTH: "wrong length for {region}",
    ValidationResult.IS_POSSIBLE_LOCAL_ONLY: "a local number without its area code ({region})",
    ValidationResult.INVALID_COUNTRY_CODE: "unknown country code",
}


@dataclass(frozen=True, slots=True)
class Phone:
    e164: str
    type_name: str
    # Empty when libphonenumber knows no zone for the number.
    zones: tuple[str, ...]
    extension: str


class PhoneNormaliser:
    """Normalises numbers, remembering time-zone answers per deciding prefix. One per process."""

    def __init__(self, with_zones: bool = True) -> None:
        phonenumbers.enable_pattern_cache()
        self._with_zones = with_zones
        self._types = NumberTypes()
        self._zones: dict[tuple[str, int, str | None], tuple[str, ...]] = {}

    def normalise(self, text: str, region: str) -> Phone | str:
        """The number, or a short reason it is not a dialable one."""
        split = fast_split(text, region)
        number: phonenumbers.PhoneNumber | None = None
        if split is not None:
            country_code, nsn = split
            extension = ""
        else:
            try:
                number = phonenumbers.parse(text, region)
            except NumberParseException as error:
                return _PARSE_REASONS.get(error.error_type, "not a phone number")
            country_code = number.country_code or 0
            nsn = phonenumbers.national_significant_number(number)
            extension = number.extension or ""
        own_region, number_type = self._types.region_and_type(country_code, nsn)
        if number_type == PhoneNumberType.UNKNOWN:
            # fast_split never leaves a leading zero, so these two make the number parse made
            return _invalid_reason(
                number
                or phonenumbers.PhoneNumber(country_code=country_code, national_number=int(nsn))
            )
        if number_type == PhoneNumberType.PREMIUM_RATE:
            return "premium-rate number (never dialed)"
        e164 = f"+{country_code}{nsn}"  # what format_number(..., E164) writes
        if not _E164.match(e164):
            return "not a full international number"
        zones = (
            self._zones_for(e164, country_code, number_type, own_region) if self._with_zones else ()
        )
        return Phone(e164, TYPE_NAMES[number_type], zones, extension)

    def _zones_for(
        self, e164: str, country_code: int, number_type: int, region: str | None
    ) -> tuple[str, ...]:
        # The same decisions as phonenumbers.timezone.time_zones_for_number, without its second
        # number_type(): geographic numbers by their longest listed prefix, others by country.
        digits = e164[1:]
        if is_number_type_geographical(number_type, country_code):
            prefix = ""
            for length in _prefix_lengths(country_code):
                if digits[:length] in TIMEZONE_DATA:
                    prefix = digits[:length]
                    break
        else:
            country = str(country_code)
            prefix = country if country in TIMEZONE_DATA else ""
        key = (prefix, number_type, region)
        zones = self._zones.get(key)
        if zones is None:
            zones = number_zones(TIMEZONE_DATA.get(prefix, ()), number_type, region)
            self._zones[key] = zones
        return zones


@cache
def _prefix_lengths(country_code: int) -> tuple[int, ...]:
    """Lengths of the time-zone prefixes listed under a country code, longest first: the only
    ones worth looking up (libphonenumber tries every length from 9 down)."""
    code = str(country_code)
    lengths = {
        len(prefix)
        for prefix in TIMEZONE_DATA
        if prefix.startswith(code) or code.startswith(prefix)
    }
    return tuple(sorted((n for n in lengths if n <= TIMEZONE_LONGEST_PREFIX), reverse=True))


def _invalid_reason(number: phonenumbers.PhoneNumber) -> str:
    region = phonenumbers.region_code_for_country_code(number.country_code or 0)
    possible = phonenumbers.is_possible_number_with_reason(number)
    template = _LENGTH_REASONS.get(possible, "not a number in use in {region}")
    return template.format(region=region)
