"""Speed dial, pure: which entry a slot means, what an entry may hold, and the phone's keys."""

from __future__ import annotations

import pytest

from campaigns.errors import ValidationError
from campaigns.speed_dial import (
    Scope,
    SpeedDialEntry,
    SpeedDialSpec,
    effective,
    entry_for,
    parse_slot,
    parse_spec,
)
from dialer.softphone import phone
from dialer.telephony.events import LegAnswered, LegId

from .softphone_calls import T0, incoming


def _entry(scope: Scope, owner: int, slot: int, label: str) -> SpeedDialEntry:
    return SpeedDialEntry(scope, owner, SpeedDialSpec(slot, "+442079460000", label))


def _keys(state: phone.PhoneState, keys: str) -> tuple[phone.PhoneState, list[phone.Effect]]:
    effects: list[phone.Effect] = []
    for key in keys:
        state, step = phone.on_key(state, key)
        effects.extend(step)
    return state, effects


def test_an_agents_own_entry_wins_its_slot_over_the_campaigns() -> None:
    own = [_entry(Scope.AGENT, 7, 2, "team lead")]
    shared = [_entry(Scope.CAMPAIGN, 1, 2, "escalations"), _entry(Scope.CAMPAIGN, 1, 3, "billing")]
    entries = effective(own, shared)
    assert [(e.slot, e.spec.label) for e in entries] == [(2, "team lead"), (3, "billing")]
    assert entry_for(entries, 2) == own[0]
    assert entry_for(entries, 4) is None


def test_between_campaigns_the_lowest_campaign_id_wins_a_slot() -> None:
    shared = [_entry(Scope.CAMPAIGN, 9, 1, "nine"), _entry(Scope.CAMPAIGN, 4, 1, "four")]
    assert [e.spec.label for e in effective([], shared)] == ["four"]


def test_an_entry_is_stored_in_e164_from_the_campaigns_region() -> None:
    spec = parse_spec("12", {"number": "020 7946 0000", "label": " Desk "}, "GB")
    assert spec == SpeedDialSpec(12, "+442079460000", "Desk")


def test_an_entry_names_every_problem_and_never_holds_a_premium_rate_number() -> None:
    with pytest.raises(ValidationError) as bad:
        parse_spec(100, {"number": "0906 123 4567", "label": ""}, "GB")
    problems = bad.value.problems
    assert problems[0].startswith("slot:") and problems[1].startswith("label:")
    assert "premium-rate" in problems[2]


@pytest.mark.parametrize("raw", [0, 100, "x", True, None, "-1"])
def test_slots_run_from_1_to_99(raw: object) -> None:
    with pytest.raises(ValidationError):
        parse_slot(raw)


def test_star_slot_hash_on_an_idle_phone_asks_for_a_speed_dial() -> None:
    state, effects = _keys(phone.PhoneState(), "*12#")
    assert phone.SpeedDial(12) in effects
    assert state.slot_keys is None
    _, effects = _keys(state, "*2#")
    assert phone.SpeedDial(2) in effects


def test_a_speed_dial_without_digits_or_with_another_key_is_dropped() -> None:
    _, effects = _keys(phone.PhoneState(), "*#")
    assert not any(isinstance(e, phone.SpeedDial) for e in effects)
    state, effects = _keys(phone.PhoneState(), "*2m")
    assert state.slot_keys is None and phone.Show("speed dial cancelled") in effects


def test_star_during_a_call_is_still_a_dtmf_digit() -> None:
    state, _ = phone.on_event(phone.PhoneState(auto_answer=True), incoming())
    state, _ = phone.on_event(state, LegAnswered(LegId("in-1"), T0))
    _, effects = _keys(state, "*2#")
    assert phone.Dtmf(LegId("in-1"), "*") in effects
    assert not any(isinstance(e, phone.SpeedDial) for e in effects)
