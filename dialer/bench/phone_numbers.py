"""Valid, distinct phone numbers for benchmarks and the demo (libphonenumber-checked)."""

from __future__ import annotations

import random
from collections.abc import Iterator

import phonenumbers

# Area codes in several US time zones (Eastern, Central, Mountain, Pacific).
US_AREA_CODES = (212, 202, 305, 404, 617, 312, 713, 214, 303, 602, 415, 213, 206, 503)


def us_numbers(
    count: int, seed: int = 1, area_codes: tuple[int, ...] = US_AREA_CODES
) -> Iterator[str]:
    """`count` distinct valid US numbers in E.164, deterministic for a seed."""
    rng = random.Random(seed)
    seen: set[str] = set()
    while len(seen) < count:
        number = f"+1{rng.choice(area_codes)}{rng.randint(200, 999)}{rng.randint(0, 9999):04d}"
        if number in seen or not phonenumbers.is_valid_number(phonenumbers.parse(number, None)):
            continue
        seen.add(number)
        yield number
