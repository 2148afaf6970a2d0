"""Dispositions: what an agent records at the end of a call, and what that does to the contact."""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum

from campaigns.errors import ValidationError


class DispositionAction(StrEnum):
    COMPLETE = "complete"  # the contact is done
    RETRY = "retry"  # try again under the campaign's retry policy
    CALLBACK = "callback"  # the agent schedules a call back
    DNC = "dnc"  # the person asked not to be called: onto the campaign's DNC list


MAX_CODE_LENGTH = 32
_CODE = re.compile(rf"^[a-z0-9_]{{1,{MAX_CODE_LENGTH}}}$")


@dataclass(frozen=True)
class Disposition:
    campaign_id: int
    code: str
    label: str
    action: DispositionAction
    # Whether the agent found a person: estimates answering-machine false positives.
    human: bool = True
    position: int = 0


def validate_disposition(disposition: Disposition) -> Disposition:
    problems = []
    if not _CODE.match(disposition.code):
        problems.append("code: 1-32 lower-case letters, digits or '_'")
    if not 1 <= len(disposition.label.strip()) <= 80:
        problems.append("label: 1-80 characters")
    if not 0 <= disposition.position <= 1000:
        problems.append("position: 0-1000")
    if problems:
        raise ValidationError(problems)
    return disposition


def parse_action(value: str) -> DispositionAction:
    try:
        return DispositionAction(value)
    except ValueError:
        choices = ", ".join(a.value for a in DispositionAction)
        raise ValidationError([f"action: one of {choices}, got {value!r}"]) from None
