"""Rows -> staging lines (COPY text): one line per number, reasons for rows without one."""

from __future__ import annotations

import io
import json

from campaigns.contact_import.mapping import parse_map_options, resolve_mapping
from campaigns.contact_import.rejects_export import safe_cell, write_rejects_csv
from campaigns.contact_import.rows import (
    NO_PHONE,
    STAGE_COLUMNS,
    TRUNCATED,
    RowNormaliser,
    plan_rows,
)

HEADERS = ("First", "Last", "Mobile", "Home", "ZIP", "TZ", "Note")


def _lines(rows: list[tuple[int, list[str]]], truncated: int | None = None) -> list[dict[str, str]]:
    mapping = resolve_mapping(
        parse_map_options(
            [
                "phone=Mobile,Home",
                "first_name=First",
                "last_name=Last",
                "postal_code=ZIP",
                "time_zone=TZ",
            ]
        ),
        HEADERS,
    )
    result = RowNormaliser(plan_rows(HEADERS, mapping, "US")).batch(rows, truncated)
    text = result.copy_data.decode()
    return [dict(zip(STAGE_COLUMNS, line.split("\t"), strict=True)) for line in text.splitlines()]


def test_each_number_of_a_row_is_its_own_line_sharing_the_row() -> None:
    lines = _lines([(2, ["Ann", "Lee", "(212) 555-0100", "718-555-0199", "10001", "", ""])])
    assert [(x["row_number"], x["phone_index"], x["phone_e164"]) for x in lines] == [
        ("2", "0", "+12125550100"),
        ("2", "1", "+17185550199"),
    ]
    assert lines[0]["time_zones"] == "{America/New_York}"
    assert lines[0]["reason"] == "\\N"


def test_an_explicit_zone_column_wins_over_the_number() -> None:
    lines = _lines([(2, ["A", "B", "(212) 555-0100", "", "", "America/Chicago", ""])])
    assert lines[0]["time_zones"] == "{America/Chicago}"


def test_a_row_without_any_number_is_one_line_with_a_reason() -> None:
    lines = _lines([(5, ["Ann", "Lee", "", " ", "", "", "no phone"])])
    assert [(x["row_number"], x["phone_index"], x["reason"]) for x in lines] == [
        ("5", "\\N", NO_PHONE)
    ]


def test_blank_rows_make_no_line() -> None:
    assert _lines([(3, [" ", "", "", "", "", "", ""])]) == []


def test_a_cut_last_row_is_rejected_whatever_it_holds() -> None:
    lines = _lines([(9, ["Ann", "Lee", "(212) 555-0100"])], truncated=9)
    assert [(x["row_number"], x["reason"]) for x in lines] == [("9", TRUNCATED)]


def test_tabs_line_breaks_and_backslashes_cannot_break_the_copy_stream() -> None:
    note = "tab\there\nnew line \\ backslash"
    lines = _lines([(2, ["A\tB", "C\\D", "2125550100", "", "", "", note])])
    assert len(lines) == 1
    assert lines[0]["first_name"] == "A\\tB"
    assert lines[0]["last_name"] == "C\\\\D"
    fields = json.loads(lines[0]["fields"].replace("\\\\", "\\"))
    assert fields["Note"] == "tab\there\nnew line \\ backslash"


def test_cells_are_kept_as_fields_by_header_empty_ones_left_out() -> None:
    lines = _lines([(2, ["Ann", "", "2125550100", "", "", "", "=1+2"])])
    expected = {"First": "Ann", "Mobile": "2125550100", "Note": "=1+2"}
    assert json.loads(lines[0]["fields"]) == expected


def test_formula_like_cells_are_defused_for_spreadsheets() -> None:
    for dangerous in ("=1+2", "+1 212", "-3", "@SUM(A1)", "\tx", "\rx"):
        assert safe_cell(dangerous).startswith("'")
    assert safe_cell("Ann") == "Ann"


def test_the_rejects_file_has_row_reason_and_the_files_columns() -> None:
    out = io.StringIO()
    count = write_rejects_csv(
        out, ["Name", "Phone"], [(3, "too short for US", {"Name": "=cmd()", "Phone": "123"})]
    )
    assert count == 1
    assert out.getvalue().splitlines() == [
        "row,reason,Name,Phone",
        "3,too short for US,'=cmd(),123",
    ]
