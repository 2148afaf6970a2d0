"""The per-campaign allow list of transfer destinations: what is a valid entry, what matches."""

import pytest

from campaigns.campaign import CampaignSpec, validate_spec
from campaigns.errors import ValidationError
from campaigns.transfer_destinations import (
    allowed,
    entry_problem,
    parse_destinations,
    refusal,
)

pytestmark = pytest.mark.unit


@pytest.mark.parametrize("entry", ["+442079460000", "+1415555XXXX", "+44207*", "+1415*"])
def test_numbers_and_patterns_are_valid_entries(entry: str) -> None:
    assert entry_problem(entry) is None


@pytest.mark.parametrize(
    ("entry", "why"),
    [
        ("+*", "not an E.164"),
        ("+1*", "too wide"),
        ("+44X*", "too wide"),
        ("0207946000", "not an E.164"),
        ("+44 20 7946", "not an E.164"),
        ("+123", "too short"),
        ("+1234567890123456", "not an E.164"),
        ("sip:evil@example.com", "not an E.164"),
    ],
)
def test_entries_that_would_open_the_trunk_are_refused(entry: str, why: str) -> None:
    problem = entry_problem(entry)
    assert problem is not None and why in problem


def test_exact_numbers_x_digits_and_star_prefixes_match() -> None:
    entries = ("+442079460000", "+1415555XXXX", "+33612*")
    assert allowed(entries, "+442079460000")
    assert not allowed(entries, "+4420794600001")  # an exact entry is exact
    assert allowed(entries, "+14155550199")
    assert not allowed(entries, "+1415555019")  # X is one digit each
    assert not allowed(entries, "+14165550199")
    assert allowed(entries, "+33612345678")
    assert not allowed(entries, "+33712345678")
    assert not allowed(entries, "+1415555019X")  # not a number at all


def test_refusal_says_why() -> None:
    assert refusal((), "+14155550199") == "this campaign allows no transfers to external numbers"
    assert "not on this campaign's list" in (refusal(("+44207*",), "+14155550199") or "")
    assert "not an E.164" in (refusal(("+44207*",), "00442079460000") or "")
    assert refusal(("+44207*",), "+442079460000") is None


def test_the_list_is_read_from_text_or_a_list_and_validated_with_the_campaign() -> None:
    assert parse_destinations("+44207*\n+1415555xxxx, +44207*") == ("+44207*", "+1415555XXXX")
    assert parse_destinations(["+442079460000"]) == ("+442079460000",)
    assert parse_destinations("") == ()
    spec = CampaignSpec(name="c", caller_id="+14155550100", transfer_destinations=("+1*",))
    with pytest.raises(ValidationError, match="too wide"):
        validate_spec(spec)
