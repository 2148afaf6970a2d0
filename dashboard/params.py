"""Query and form values into typed values, or ValidationError naming the parameter.

Nothing from a request reaches SQL text: values become ints, enum members, datetimes or
digit strings here, sort keys are checked against the store's allow-list (campaigns.storage.paging).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime

from campaigns.errors import ValidationError
from campaigns.storage.paging import MAX_LIMIT, PageRequest

_DIGITS = re.compile(r"^\+?[0-9]{1,15}$")


def optional_int(args: Mapping[str, str], name: str) -> int | None:
    raw = args.get(name, "").strip()
    if not raw:
        return None
    if not re.fullmatch(r"[0-9]{1,18}", raw):
        raise ValidationError([f"{name}: expected a positive integer"])
    return int(raw)


def optional_choice(args: Mapping[str, str], name: str, choices: Iterable[str]) -> str | None:
    raw = args.get(name, "").strip()
    if not raw:
        return None
    allowed = tuple(choices)
    if raw not in allowed:
        raise ValidationError([f"{name}: one of {', '.join(allowed)}"])
    return raw


def optional_text(args: Mapping[str, str], name: str, max_length: int) -> str | None:
    """Stripped text of at most `max_length` characters; empty or missing is None."""
    raw = args.get(name, "").strip()
    if len(raw) > max_length:
        raise ValidationError([f"{name}: at most {max_length} characters"])
    return raw or None


def optional_bool(args: Mapping[str, str], name: str) -> bool | None:
    """`true`/`false` (also 1/0, yes/no); empty or missing is None."""
    raw = args.get(name, "").strip().lower()
    if not raw:
        return None
    if raw in ("true", "1", "yes"):
        return True
    if raw in ("false", "0", "no"):
        return False
    raise ValidationError([f"{name}: expected true or false"])


def optional_time(args: Mapping[str, str], name: str) -> datetime | None:
    """ISO 8601 date or date-time; naive values are UTC."""
    raw = args.get(name, "").strip()
    if not raw:
        return None
    try:
        moment = datetime.fromisoformat(raw)
    except ValueError:
        raise ValidationError([f"{name}: expected an ISO 8601 date or date-time"]) from None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def optional_phone_prefix(args: Mapping[str, str], name: str) -> str | None:
    raw = args.get(name, "").strip().replace(" ", "")
    if not raw:
        return None
    if not _DIGITS.match(raw):
        raise ValidationError([f"{name}: digits, optionally after '+'"])
    return raw if raw.startswith("+") else "+" + raw


def page_request(args: Mapping[str, str], default_sort: str = "id") -> PageRequest:
    """limit, offset, sort (a name, '-name' for descending)."""
    limit = optional_int(args, "limit")
    offset = optional_int(args, "offset")
    sort = args.get("sort", "").strip() or default_sort
    descending = sort.startswith("-")
    if limit is not None and not 1 <= limit <= MAX_LIMIT:
        raise ValidationError([f"limit: 1-{MAX_LIMIT}"])
    return PageRequest(
        limit=limit or 50, offset=offset or 0, sort=sort.lstrip("-"), descending=descending
    )
