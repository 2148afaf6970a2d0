"""CSV cells a spreadsheet would run as formulas come out as text."""

from __future__ import annotations

import csv
import io
from datetime import date

import pytest

from dashboard.csv_export import csv_text, escape_cell


@pytest.mark.parametrize(
    "cell",
    ["=1+2", "+1", "-2+3", "@SUM(A1)", "\tTAB", "\rCR", '=HYPERLINK("http://x")'],
)
def test_a_text_cell_that_starts_like_a_formula_gets_an_apostrophe(cell: str) -> None:
    assert escape_cell(cell) == "'" + cell


@pytest.mark.parametrize("cell", ["Sale", "a=b", "x-1", " =1", "", "'quoted"])
def test_ordinary_text_is_left_alone(cell: str) -> None:
    assert escape_cell(cell) == cell


def test_numbers_dates_and_none_are_written_as_values() -> None:
    assert escape_cell(-3) == "-3"
    assert escape_cell(0.025) == "0.025"
    assert escape_cell(None) == ""
    assert escape_cell(True) == "true"
    assert escape_cell(date(2026, 11, 2)) == "2026-11-02"


def test_a_whole_export_escapes_header_and_cells_and_keeps_quoting() -> None:
    text = csv_text(["name", "=calls"], [["=cmd|' /C calc'!A0", 3], ['a "quoted", name', 4]])

    rows = list(csv.reader(io.StringIO(text)))

    assert rows == [["name", "'=calls"], ["'=cmd|' /C calc'!A0", "3"], ['a "quoted", name', "4"]]
    assert text.endswith("\r\n")
