"""What a queued caller is told about their place in line, and when. Pure.

Every `announce_place_s` seconds of waiting (the queue's setting; 0: never) the hold music
stops for one sentence, then goes on:

    "You are caller number 3. Your estimated wait is about 4 minutes."

The place counts from 1 (the next caller served). The wait is the wallboard's estimate for
that place (dialer.inbound.queue_board.estimated_wait), said rounded up to whole minutes, as
"less than a minute" below one, and "more than an hour" past sixty; with no estimate (no
call handled in the last hour, or no agent serving) only the place is said. Inbound callers
come before outbound answers (dialer.agents.scripts), so the estimate does not have to allow
for outbound calls taking the agents first.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

_HOUR_MINUTES = 60


@dataclass(frozen=True)
class PlaceNews:
    number: int  # 1: the next caller to be served
    estimated_wait_s: float | None


def due(waited_s: float, told: int, every_s: int) -> bool:
    """Whether the caller, told `told` times so far, is to be told again: at every `every_s`
    seconds of waiting (the first after `every_s`), never when `every_s` is 0."""
    return every_s > 0 and waited_s >= (told + 1) * every_s


def sentence(news: PlaceNews) -> str:
    place = f"You are caller number {news.number}."
    wait = news.estimated_wait_s
    if wait is None:
        return place
    if wait < 60:
        return f"{place} Your estimated wait is less than a minute."
    minutes = math.ceil(wait / 60)
    if minutes > _HOUR_MINUTES:
        return f"{place} Your estimated wait is more than an hour."
    unit = "minute" if minutes == 1 else "minutes"
    return f"{place} Your estimated wait is about {minutes} {unit}."
