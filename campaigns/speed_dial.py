"""Speed dial: numbered slots (1-99) with a number and a label, dialed by one button on the agent
console or `*<slot>#` on the softphone.

Two kinds of entry share the slots: a campaign's (kept by managers, shown to every agent working
the campaign) and an agent's own (kept by the agent). On the same slot the agent's own entry
wins: an agent may point slot 2 at their team lead's line while the campaign's slot 2 names the
escalation desk for everyone else. Between campaigns the lowest campaign id wins a slot, so the
list an agent sees never changes order under them.

Entries are dialed as click-to-call (dialer.speed_dial), so they get every compliance rule;
a premium-rate or invalid number is refused when the entry is saved, not when it is dialed.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum

from campaigns.contact_import.phones import Phone, PhoneNormaliser
from campaigns.errors import ValidationError

FIRST_SLOT = 1
LAST_SLOT = 99
MAX_LABEL = 40


class Scope(StrEnum):
    AGENT = "agent"
    CAMPAIGN = "campaign"


@dataclass(frozen=True)
class SpeedDialSpec:
    slot: int
    phone_e164: str
    label: str


@dataclass(frozen=True)
class SpeedDialEntry:
    scope: Scope
    owner_id: int  # the agent's or the campaign's id, as `scope` says
    spec: SpeedDialSpec

    @property
    def slot(self) -> int:
        return self.spec.slot


def parse_slot(raw: object) -> int:
    if isinstance(raw, bool) or not isinstance(raw, int | str):
        raise ValidationError([f"slot: a number from {FIRST_SLOT} to {LAST_SLOT}"])
    text = str(raw).strip()
    if not text.isdigit() or not FIRST_SLOT <= int(text) <= LAST_SLOT:
        raise ValidationError([f"slot: a number from {FIRST_SLOT} to {LAST_SLOT}"])
    return int(text)


def parse_spec(slot: object, values: Mapping[str, object], region: str) -> SpeedDialSpec:
    """An entry from user input: the number in any format of `region` (the campaign's default
    region), stored as E.164; every problem named at once."""
    problems: list[str] = []
    try:
        number = parse_slot(slot)
    except ValidationError as bad:
        problems += bad.problems
        number = FIRST_SLOT
    label = values.get("label")
    if not isinstance(label, str) or not label.strip() or len(label.strip()) > MAX_LABEL:
        problems.append(f"label: 1-{MAX_LABEL} characters")
    phone = values.get("number")
    normalised: Phone | str = (
        PhoneNormaliser(with_zones=False).normalise(phone, region)
        if isinstance(phone, str) and phone.strip()
        else "a phone number is required"
    )
    if isinstance(normalised, str):
        problems.append(f"number: {normalised}")
    if problems:
        raise ValidationError(problems)
    assert isinstance(normalised, Phone) and isinstance(label, str)
    return SpeedDialSpec(number, normalised.e164, label.strip())


def effective(
    own: Iterable[SpeedDialEntry], campaigns: Iterable[SpeedDialEntry]
) -> list[SpeedDialEntry]:
    """The entries an agent dials, one per slot, in slot order: their own first, then the
    campaigns' by lowest campaign id."""
    chosen: dict[int, SpeedDialEntry] = {}
    for entry in sorted(campaigns, key=lambda e: (e.slot, -e.owner_id)):
        chosen[entry.slot] = entry
    for entry in own:
        chosen[entry.slot] = entry
    return [chosen[slot] for slot in sorted(chosen)]


def entry_for(entries: Iterable[SpeedDialEntry], slot: int) -> SpeedDialEntry | None:
    return next((e for e in entries if e.slot == slot), None)
