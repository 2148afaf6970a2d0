"""Column mapping: guessed from headers or cells, given as --map options, checked against files."""

from __future__ import annotations

import pytest

from campaigns.contact_import.mapping import (
    ColumnMapping,
    PhoneColumn,
    Role,
    guess_mapping,
    parse_map_options,
    resolve_mapping,
)
from campaigns.errors import ValidationError


def test_common_headers_are_recognised() -> None:
    headers = ["First Name", "SURNAME", "Cell Phone", "Home Phone", "Zip Code", "Time Zone", "Fax"]
    mapping = guess_mapping(headers, [])
    assert mapping.phones == (
        PhoneColumn("Cell Phone", "mobile"),
        PhoneColumn("Home Phone", "home"),
    )
    assert mapping.singles == {
        Role.FIRST_NAME: "First Name",
        Role.LAST_NAME: "SURNAME",
        Role.POSTAL_CODE: "Zip Code",
        Role.TIME_ZONE: "Time Zone",
    }


def test_headers_that_only_sound_like_phones_are_not_phones() -> None:
    mapping = guess_mapping(["Hotel", "Account Number", "Phone Type", "Telephone"], [])
    assert [p.header for p in mapping.phones] == ["Telephone"]


def test_without_telling_headers_the_cells_show_the_phone_column() -> None:
    sample = [["Ann", "(212) 555-0100", "10001"], ["Bo", "+44 20 7946 0958", "10002"]]
    mapping = guess_mapping(["column_1", "column_2", "column_3"], sample)
    assert [p.header for p in mapping.phones] == ["column_2"]


def test_map_options_name_roles_columns_and_labels() -> None:
    mapping = parse_map_options(["phone=Mobile,Landline:home", "first_name=Given"])
    assert mapping.phones == (PhoneColumn("Mobile", "mobile"), PhoneColumn("Landline", "home"))
    assert mapping.header_for(Role.FIRST_NAME) == "Given"


def test_a_map_option_with_an_unknown_role_is_refused() -> None:
    with pytest.raises(ValidationError, match="'mobile' is not a role"):
        parse_map_options(["mobile=Cell"])


def test_mapped_columns_match_the_file_ignoring_case_and_spaces() -> None:
    mapping = resolve_mapping(parse_map_options(["phone=mobile number"]), ["Mobile Number"])
    assert mapping.phones[0].header == "Mobile Number"


def test_a_mapped_column_missing_from_the_file_is_named() -> None:
    with pytest.raises(ValidationError, match="'Cell' is not in the file"):
        resolve_mapping(parse_map_options(["phone=Cell"]), ["Phone"])


def test_phone_labels_are_made_unique() -> None:
    mapping = resolve_mapping(parse_map_options(["phone=Phone 1,Phone 2"]), ["Phone 1", "Phone 2"])
    assert [p.label for p in mapping.phones] == ["phone_1", "phone_2"]
    twins = ColumnMapping((PhoneColumn("A", "home"), PhoneColumn("B", "home")))
    assert [p.label for p in resolve_mapping(twins, ["A", "B"]).phones] == ["home", "home_2"]


def test_a_mapping_survives_its_json_form() -> None:
    mapping = parse_map_options(["phone=Cell:mobile", "postal_code=ZIP", "country=Country"])
    assert ColumnMapping.from_json(mapping.to_json()) == mapping
