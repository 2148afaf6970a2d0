"""Where an agent may transfer a campaign's calls: the per-campaign allow list (no toll fraud).

A call transferred to an external number goes out through the campaign's trunk at the
campaign's cost, so only numbers the campaign lists are allowed. An entry is either

- an exact E.164 number, ``+442079460000``; or
- a pattern: E.164 digits where ``X`` stands for any one digit (``+1415555XXXX``), optionally
  ending in ``*`` for "any further digits" (``+44207*``). A pattern names at least its country
  code and 2 more digits: ``+*`` or ``+1*`` would open the trunk to the world.

An empty list allows no external transfer at all (the default).
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from campaigns.errors import ValidationError

MAX_ENTRIES = 200
# E.164: at most 15 digits after the "+", never a leading 0.
_ENTRY = re.compile(r"\+[1-9][0-9X]{0,14}\*?")
_NUMBER = re.compile(r"\+[1-9][0-9]{6,14}")
# Digits (or X) a pattern must fix before a "*" (country code and some of the national number).
_MIN_FIXED_BEFORE_STAR = 4


def entry_problem(entry: str) -> str | None:
    """What is wrong with one allow-list entry, or None."""
    if not _ENTRY.fullmatch(entry):
        return (
            f"{entry!r} is not an E.164 number or pattern (+ digits, X for a digit, * at the end)"
        )
    digits = entry[1:].rstrip("*")
    if entry.endswith("*"):
        fixed = len(digits) - digits.count("X")
        if fixed < _MIN_FIXED_BEFORE_STAR:
            return f"{entry!r} is too wide: fix at least {_MIN_FIXED_BEFORE_STAR} digits before *"
    elif len(digits) < 7:
        return f"{entry!r} is too short for a phone number (7-15 digits)"
    return None


def parse_destinations(value: object) -> tuple[str, ...]:
    """A list of entries, or text with one per line (or separated by commas or spaces)."""
    if value is None or value == "":
        return ()
    if isinstance(value, str):
        items: Iterable[object] = re.split(r"[\s,;]+", value)
    elif isinstance(value, list | tuple):
        items = value
    else:
        raise ValidationError(["transfer_destinations: a list of E.164 numbers or patterns"])
    entries: list[str] = []
    for item in items:
        if not isinstance(item, str):
            raise ValidationError(["transfer_destinations: entries are strings"])
        entry = item.strip().upper()
        if entry and entry not in entries:
            entries.append(entry)
    return tuple(entries)


def destination_problems(entries: tuple[str, ...]) -> list[str]:
    problems = [f"transfer_destinations: {p}" for e in entries if (p := entry_problem(e))]
    if len(entries) > MAX_ENTRIES:
        problems.append(f"transfer_destinations: at most {MAX_ENTRIES} entries")
    return problems


def matches(entry: str, number: str) -> bool:
    digits, wanted = entry[1:], number[1:]
    open_ended = digits.endswith("*")
    digits = digits.rstrip("*")
    if len(wanted) < len(digits) or (not open_ended and len(wanted) != len(digits)):
        return False
    return all(d in ("X", w) for d, w in zip(digits, wanted, strict=False))


def allowed(entries: Iterable[str], number: str) -> bool:
    """Whether the E.164 ``number`` may be a transfer destination under ``entries``."""
    if not _NUMBER.fullmatch(number):
        return False
    return any(matches(entry, number) for entry in entries)


def refusal(entries: tuple[str, ...], number: str) -> str | None:
    """Why a transfer to ``number`` is refused (shown to the agent), or None when allowed."""
    if not _NUMBER.fullmatch(number):
        return f"{number!r} is not an E.164 number (+ and 7-15 digits)"
    if not entries:
        return "this campaign allows no transfers to external numbers"
    if not allowed(entries, number):
        return f"{number} is not on this campaign's list of transfer destinations"
    return None
