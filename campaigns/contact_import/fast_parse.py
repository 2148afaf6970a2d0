"""phonenumbers.parse for the plain spellings that fill call lists, at a quarter of its cost.

Most cells are digits with spaces, dashes, dots, parentheses or slashes, maybe a leading '+':
"(212) 555-0100", "+44 20 7946 0958". For those, `parse` spends most of its time on what cannot
happen (letters, extensions, RFC 3966 contexts, Unicode digits) before it reaches the few
decisions that matter. `fast_parse` takes those decisions the way `parse` does and answers None
whenever one of them would need more than that (an international dialling prefix, a national
prefix to strip, the country code written without '+', a leading zero); the caller then uses
`parse`. The unit tests compare both on generated numbers of every region.
"""

from __future__ import annotations

import re
from functools import cache

from phonenumbers import (
    COUNTRY_CODE_TO_REGION_CODE,
    PhoneMetadata,
    PhoneNumber,
    region_code_for_country_code,
)

_PLAIN = re.compile(r"\+?[0-9 ().\-/]+")
_NOT_DIGIT = re.compile(r"[^0-9]")
# Shortest and longest digit strings taken here; the rest, and their errors, are parse's.
_MIN_DIGITS, _MAX_DIGITS = 7, 15
_MAX_COUNTRY_CODE_DIGITS = 3
_MAX_INPUT = 250  # parse refuses longer text outright


@cache
def _pattern(text: str) -> re.Pattern[str]:
    return re.compile(text)


def fast_parse(text: str, region: str) -> PhoneNumber | None:
    """The number phonenumbers.parse(text, region) gives, or None to ask parse itself."""
    split = fast_split(text, region)
    if split is None:
        return None
    return PhoneNumber(country_code=split[0], national_number=int(split[1]))


def fast_split(text: str, region: str) -> tuple[int, str] | None:
    """fast_parse as (country code, national significant number), the E.164 number's two parts
    without building a PhoneNumber."""
    if len(text) > _MAX_INPUT or not text.isascii() or not _PLAIN.fullmatch(text):
        return None
    digits = _NOT_DIGIT.sub("", text)
    if not _MIN_DIGITS <= len(digits) <= _MAX_DIGITS:
        return None
    if text[0] == "+":
        country_code, nsn = _split_country_code(digits)
        if country_code == 0:
            return None
        number_region = region_code_for_country_code(country_code)
        metadata = PhoneMetadata.metadata_for_region_or_calling_code(country_code, number_region)
    else:
        metadata = PhoneMetadata.metadata_for_region(region, None)
        if metadata is None or metadata.country_code is None:
            return None
        idd = metadata.international_prefix
        if idd and _pattern(idd).match(digits):
            return None  # maybe "011 44 ...": parse decides whether that is a prefix
        country_code, nsn = metadata.country_code, digits
        code_text = str(country_code)
        if digits.startswith(code_text):
            # "1 212 555 0100": parse reads the country code without '+' when the digits make no
            # number with it and one without it.
            rest = digits[len(code_text) :]
            national_prefix = metadata.national_prefix_for_parsing
            if national_prefix and _pattern(national_prefix).match(rest):
                return None
            general_desc = metadata.general_desc
            if general_desc is None or not general_desc.national_number_pattern:
                return None
            general = _pattern(general_desc.national_number_pattern)
            if general.fullmatch(digits) is None:
                if general.fullmatch(rest) is None:
                    return None  # then parse weighs the length too
                nsn = rest
            elif len(digits) > max(general_desc.possible_length or (0,)):
                return None  # too long with it: parse takes the reading without
    if metadata is None:
        return None
    national_prefix = metadata.national_prefix_for_parsing
    if national_prefix and _pattern(national_prefix).match(nsn):
        return None  # "+44 (0)20 ..." or "020 ...": parse strips it when that leaves a number
    if len(nsn) < 2 or nsn[0] == "0":
        return None  # Italian-style leading zeros are parse's to record
    return country_code, nsn


def _split_country_code(digits: str) -> tuple[int, str]:
    """As phonenumbers' _extract_country_code: the shortest known prefix of 1-3 digits."""
    if digits[0] == "0":
        return 0, digits
    for length in range(1, min(len(digits), _MAX_COUNTRY_CODE_DIGITS) + 1):
        code = int(digits[:length])
        if code in COUNTRY_CODE_TO_REGION_CODE:
            return code, digits[length:]
    return 0, digits
