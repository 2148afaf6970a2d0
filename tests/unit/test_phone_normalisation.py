"""One phone cell -> E.164, type and zones, or a reason; and the fast paths agree with
libphonenumber exactly."""

from __future__ import annotations

import phonenumbers
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from phonenumbers import PhoneNumberFormat, PhoneNumberType

from campaigns.contact_import.fast_parse import fast_parse
from campaigns.contact_import.number_types import NumberTypes
from campaigns.contact_import.phones import Phone, PhoneNormaliser

REGIONS = sorted(phonenumbers.SUPPORTED_REGIONS)


@pytest.fixture(scope="module")
def normaliser() -> PhoneNormaliser:
    return PhoneNormaliser()


@pytest.mark.parametrize(
    ("text", "region"),
    [
        ("(212) 555-0100", "US"),
        ("212.555.0100", "US"),
        ("212-555-0100", "US"),
        ("2125550100", "US"),
        ("1-212-555-0100", "US"),
        ("1 (212) 555 0100", "US"),
        ("+1 212 555 0100", "US"),
        ("+12125550100", "GB"),
        ("011 1 212 555 0100", "US"),
        ("00 1 212 555 0100", "GB"),
        ("\uff08\uff12\uff11\uff12\uff09\uff15\uff15\uff15\uff10\uff11\uff10\uff10", "US"),
    ],
)
def test_national_and_international_spellings_give_one_e164(
    normaliser: PhoneNormaliser, text: str, region: str
) -> None:
    found = normaliser.normalise(text, region)
    assert isinstance(found, Phone)
    assert found.e164 == "+12125550100"
    assert found.zones == ("America/New_York",)


def test_a_national_prefix_is_dropped_wherever_it_is_written(normaliser: PhoneNormaliser) -> None:
    for text, region in (("020 7946 0958", "GB"), ("+44 (0)20 7946 0958", "US")):
        found = normaliser.normalise(text, region)
        assert isinstance(found, Phone)
        assert found.e164 == "+442079460958"
        assert found.type_name == "fixed_line"


def test_an_extension_is_kept_apart_from_the_number(normaliser: PhoneNormaliser) -> None:
    found = normaliser.normalise("212-555-0100 ext. 42", "US")
    assert isinstance(found, Phone)
    assert (found.e164, found.extension) == ("+12125550100", "42")


def test_letters_of_a_vanity_number_become_digits(normaliser: PhoneNormaliser) -> None:
    found = normaliser.normalise("1-800-FLOWERS", "US")
    assert isinstance(found, Phone)
    assert found.e164 == "+18003569377"
    assert found.type_name == "toll_free"


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("call me", "not a phone number"),
        ("555-0100", "a local number without its area code (US)"),
        ("123", "too short for US"),
        ("+999 1234567", "unknown country code"),
        ("+1 212 555 01000", "too long for US"),
        ("1212555010", "not a number in use in US"),
        ("+1 900 555 0100", "premium-rate number (never dialed)"),
    ],
)
def test_invalid_numbers_say_why(normaliser: PhoneNormaliser, text: str, reason: str) -> None:
    assert normaliser.normalise(text, "US") == reason


def test_numbers_without_a_country_code_take_the_region_given(normaliser: PhoneNormaliser) -> None:
    found = normaliser.normalise("030 1234567", "DE")
    assert isinstance(found, Phone)
    assert found.e164 == "+49301234567"
    assert found.zones == ("Europe/Berlin",)


def _spellings(number: phonenumbers.PhoneNumber) -> list[str]:
    return [
        phonenumbers.format_number(number, style)
        for style in (
            PhoneNumberFormat.E164,
            PhoneNumberFormat.INTERNATIONAL,
            PhoneNumberFormat.NATIONAL,
        )
    ]


def _agree(text: str, region: str, types: NumberTypes) -> None:
    try:
        expected: phonenumbers.PhoneNumber | None = phonenumbers.parse(text, region)
    except phonenumbers.NumberParseException:
        expected = None
    fast = fast_parse(text, region)
    if fast is not None:
        assert fast == expected, (text, region)
    if expected is not None:
        nsn = phonenumbers.national_significant_number(expected)
        assert types.region_and_type(expected.country_code or 0, nsn) == (
            phonenumbers.region_code_for_number(expected),
            phonenumbers.number_type(expected),
        ), (text, region)


def test_fast_paths_agree_with_libphonenumber_on_every_regions_examples() -> None:
    types = NumberTypes()
    for region in REGIONS:
        for number_type in range(PhoneNumberType.VOICEMAIL + 1):
            example = phonenumbers.example_number_for_type(region, number_type)
            if example is None:
                continue
            for text in _spellings(example):
                for home in (region, "US", "GB"):
                    _agree(text, home, types)
                    _agree(text[:-1], home, types)
                    _agree(text + "7", home, types)


_TYPES = NumberTypes()


@settings(max_examples=1500, deadline=None)
@given(
    region=st.sampled_from([*REGIONS, "US", "US", "GB"]),
    prefix=st.sampled_from(["", "", "+", "+", "1", "0", "00", "011", "+1 ", "+44 (0)", "+49 "]),
    groups=st.lists(st.text("0123456789", min_size=1, max_size=4), min_size=2, max_size=5),
    separator=st.sampled_from([" ", "-", ".", "", "/", ") "]),
)
def test_fast_paths_agree_with_libphonenumber_on_random_numbers(
    region: str, prefix: str, groups: list[str], separator: str
) -> None:
    _agree(prefix + separator.join(groups), region, _TYPES)
