"""Candidate time zones: from the number, an explicit column, a US ZIP code (COMPLIANCE.md)."""

from __future__ import annotations

from phonenumbers import PhoneNumberType

from campaigns.contact_import.phones import Phone, PhoneNormaliser
from campaigns.contact_import.time_zones import explicit_zones, narrow_by_zip, number_zones
from campaigns.contact_import.zip_zones import normalise_zip, zip_zone


def _zones(text: str, region: str = "US") -> tuple[str, ...]:
    found = PhoneNormaliser().normalise(text, region)
    assert isinstance(found, Phone)
    return found.zones


def test_an_explicit_iana_zone_is_taken_in_any_case() -> None:
    assert explicit_zones("america/chicago") == ("America/Chicago",)
    assert explicit_zones("Europe/London") == ("Europe/London",)


def test_us_abbreviations_mean_zones_with_summer_time_not_fixed_offsets() -> None:
    assert explicit_zones("EST") == ("America/New_York",)
    assert explicit_zones("Pacific") == ("America/Los_Angeles",)
    # Arizona keeps MST all summer: "Mountain" may mean either clock, so both must allow a call.
    assert explicit_zones("MST") == ("America/Denver", "America/Phoenix")


def test_an_unknown_zone_cell_gives_nothing_to_override_the_number() -> None:
    assert explicit_zones("Mars/Olympus") is None
    assert explicit_zones("") is None


def test_zip_codes_find_their_zone_even_when_excel_dropped_the_zero() -> None:
    assert zip_zone("10001") == "America/New_York"
    assert zip_zone("90210-1234") == "America/Los_Angeles"
    assert normalise_zip("2134") == "02134"
    assert zip_zone("2134") == "America/New_York"
    assert zip_zone("99999") is None
    assert zip_zone("SW1A 1AA") is None


def test_a_zip_code_narrows_the_candidates_of_an_area_code_spanning_zones() -> None:
    candidates = ("America/Chicago", "America/New_York")
    assert narrow_by_zip(candidates, "60601") == ("America/Chicago",)


def test_a_zip_code_twin_of_a_candidate_narrows_to_that_candidate() -> None:
    # Boise's clocks are Denver's: a ZIP code in Denver's zone selects America/Boise.
    assert narrow_by_zip(("America/Boise", "America/Los_Angeles"), "80202") == ("America/Boise",)


def test_a_zip_code_elsewhere_adds_its_zone_because_mobiles_move() -> None:
    assert narrow_by_zip(("America/New_York",), "94105") == (
        "America/Los_Angeles",
        "America/New_York",
    )


def test_a_mobile_keeps_to_its_own_regions_zones() -> None:
    # libphonenumber lists Guernsey, Jersey, Man and London for +44 7...
    assert _zones("+44 7400 123456") == ("Europe/London",)
    assert _zones("+44 7797 900123") == ("Europe/Jersey",)
    assert _zones("+44 7911 123456") == ("Europe/Guernsey",)


def test_toll_free_numbers_keep_every_candidate_zone() -> None:
    zones = _zones("+1 800 555 0100")
    assert "America/St_Johns" in zones and "Pacific/Honolulu" in zones


def test_unknown_zones_are_dropped_from_candidates() -> None:
    assert number_zones(("Etc/Unknown",), PhoneNumberType.MOBILE, "US") == ()
