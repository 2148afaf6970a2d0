"""Reading list files: formats, encodings, delimiters, quoting, headers, damaged and cut files."""

from __future__ import annotations

import codecs
from datetime import datetime
from pathlib import Path

import openpyxl
import pytest

from campaigns.contact_import.preview import preview_file
from campaigns.contact_import.source import open_table, unique_headers
from campaigns.errors import UnreadableFile
from tests.list_files import workbook_bytes

ROWS = [
    ["First Name", "Last Name", "Phone", "Notes"],
    ["Zoë", "Müller", "(212) 555-0100", 'said "call; later", ok'],
    ["José", "García", "+44 20 7946 0958", "line one\nline two"],
]


def _csv(rows: list[list[str]], delimiter: str) -> str:
    def cell(value: str) -> str:
        if any(ch in value for ch in (delimiter, '"', "\n", ",", ";")):
            return '"' + value.replace('"', '""') + '"'
        return value

    return "".join(delimiter.join(cell(v) for v in row) + "\r\n" for row in rows)


def _read(path: Path, **options: object) -> tuple[tuple[str, ...], list[tuple[int, list[str]]]]:
    with open_table(path, **options) as table:  # type: ignore[arg-type]
        return table.headers, list(table.rows())


@pytest.mark.parametrize("delimiter", [",", ";", "\t", "|"])
@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "cp1252", "latin-1", "utf-16"])
def test_every_delimiter_and_encoding_reads_the_same_table(
    tmp_path: Path, delimiter: str, encoding: str
) -> None:
    path = tmp_path / "list.csv"
    path.write_bytes(_csv(ROWS, delimiter).encode(encoding))
    with open_table(path) as table:
        assert table.shape.delimiter == delimiter
        assert table.headers == tuple(ROWS[0])
        assert [cells for _, cells in table.rows()] == ROWS[1:]


def test_utf8_is_chosen_only_when_every_byte_decodes(tmp_path: Path) -> None:
    path = tmp_path / "list.csv"
    # Valid UTF-8 up front, a cp1252 byte (0xE9, é) far down the file.
    path.write_bytes(("Phone\n" + "2125550100\n" * 50_000).encode() + b"Caf\xe9\n")
    with open_table(path) as table:
        assert table.shape.encoding == "cp1252"
        assert list(table.rows())[-1][1] == ["Café"]


def test_bytes_cp1252_leaves_undefined_mean_latin1(tmp_path: Path) -> None:
    path = tmp_path / "list.csv"
    path.write_bytes(b"Name;Phone\nA\x81b;2125550100\n")
    with open_table(path) as table:
        assert table.shape.encoding == "latin-1"
        assert next(table.rows())[1] == ["A\x81b", "2125550100"]


def test_nul_characters_postgresql_cannot_store_are_dropped(tmp_path: Path) -> None:
    path = tmp_path / "list.csv"
    path.write_bytes(b"Name,Phone\nA\x00nn,2125550100\n")
    assert _read(path)[1] == [(2, ["Ann", "2125550100"])]


def test_rows_are_numbered_as_in_a_spreadsheet_and_blank_rows_skipped(tmp_path: Path) -> None:
    path = tmp_path / "list.csv"
    path.write_text("Phone\n2125550100\n\n,\n2125550101\n")
    headers, rows = _read(path)
    assert headers == ("Phone",)
    assert [number for number, _ in rows] == [2, 4, 5]  # row 4 (",") is blank but for a comma


def test_a_first_row_with_phone_numbers_is_data_not_a_header(tmp_path: Path) -> None:
    path = tmp_path / "list.csv"
    path.write_text("Ann,2125550100\nBob,2125550101\n")
    headers, rows = _read(path)
    assert headers == ("column_1", "column_2")
    assert [number for number, _ in rows] == [1, 2]
    assert _read(path, has_header=True)[0] == ("Ann", "2125550100")


def test_header_names_are_trimmed_made_unique_and_never_empty() -> None:
    assert unique_headers(["\ufeffPhone ", "phone", "", "Phone"]) == (
        "Phone",
        "phone (2)",
        "column_3",
        "Phone (3)",
    )


def test_an_empty_file_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "empty.csv"
    path.write_bytes(b"")
    with pytest.raises(UnreadableFile, match="empty"), open_table(path):
        pass


def test_a_legacy_xls_file_is_refused_with_what_to_do(tmp_path: Path) -> None:
    path = tmp_path / "old.xls"
    path.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100)
    with pytest.raises(UnreadableFile, match="xlsx"), open_table(path):
        pass


def test_a_file_cut_inside_a_quoted_cell_flags_its_last_row(tmp_path: Path) -> None:
    path = tmp_path / "cut.csv"
    path.write_text('Phone,Notes\n2125550100,ok\n2125550101,"half a no')
    with open_table(path) as table:
        rows = list(table.rows())
        assert [number for number, _ in rows] == [2, 3]
        assert table.truncated_row == 3


def test_a_file_cut_mid_row_flags_its_short_last_row(tmp_path: Path) -> None:
    path = tmp_path / "cut.csv"
    path.write_text("Phone,First,Last\n2125550100,Ann,Lee\n2125550101,Bo")
    with open_table(path) as table:
        list(table.rows())
        assert table.truncated_row == 3


def test_a_complete_last_row_without_a_line_break_is_not_cut(tmp_path: Path) -> None:
    path = tmp_path / "list.csv"
    path.write_text("Phone,First\n2125550100,Ann\n2125550101,Bo")
    with open_table(path) as table:
        assert len(list(table.rows())) == 2
        assert table.truncated_row is None


def _workbook(path: Path, rows: list[list[object]]) -> None:
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    for row in rows:
        sheet.append(row)
    book.save(path)


def test_xlsx_cells_read_as_the_text_a_csv_export_would_hold(tmp_path: Path) -> None:
    path = tmp_path / "list.xlsx"
    _workbook(
        path,
        [
            ["Phone", "Zip", "Seen", "Note"],
            [2125550100, 2134, datetime(2024, 5, 1), '=HYPERLINK("http://x")'],
            [4.4207946095e11, None, True, "plain"],
        ],
    )
    with open_table(path) as table:
        assert table.shape.format == "xlsx"
        assert table.headers == ("Phone", "Zip", "Seen", "Note")
        rows = [cells for _, cells in table.rows()]
    assert rows[0] == ["2125550100", "2134", "2024-05-01", '=HYPERLINK("http://x")']
    assert rows[1] == ["442079460950", "", "TRUE", "plain"]


def test_a_damaged_workbook_is_refused(tmp_path: Path) -> None:
    good = tmp_path / "good.xlsx"
    _workbook(good, [["Phone"], ["2125550100"]])
    cut = tmp_path / "cut.xlsx"
    cut.write_bytes(good.read_bytes()[: good.stat().st_size // 2])
    with pytest.raises(UnreadableFile, match="XLSX"), open_table(cut):
        pass


def test_utf16_files_need_their_bom_and_get_it_from_excel() -> None:
    # Excel's "Unicode text" export: UTF-16 LE with a BOM, tab-separated.
    assert "x".encode("utf-16").startswith(codecs.BOM_UTF16_LE)


def test_a_workbook_lists_its_sheets_and_reads_the_one_chosen(tmp_path: Path) -> None:
    path = tmp_path / "months.xlsx"
    path.write_bytes(workbook_bytes())
    first = preview_file(path)
    assert first.shape.sheet == "Read me"
    assert first.shape.sheets == ("Read me", "January", "February")
    assert first.mapping is None and first.problems  # no phone column on the notes sheet
    february = preview_file(path, sheet="February")
    assert february.shape.sheet == "February" and february.headers == ("Name", "Phone")
    assert [row[0] for row in february.rows] == ["Cy", "Di", "Ed"]
    assert february.to_json()["sheets"] == ["Read me", "January", "February"]
    with open_table(path, sheet="January") as table:
        assert [cells[1] for _, cells in table.rows()] == ["(212) 555-0101", "(212) 555-0102"]
    with pytest.raises(UnreadableFile, match=r"no sheet 'March'.*January, February"):
        preview_file(path, sheet="March")


def test_a_csv_has_no_sheets(tmp_path: Path) -> None:
    path = tmp_path / "list.csv"
    path.write_text("Phone\n2125550100\n")
    assert preview_file(path).shape.sheets == ()


def test_an_empty_sheet_of_a_workbook_is_a_problem_not_a_refusal(tmp_path: Path) -> None:
    several = tmp_path / "several.xlsx"
    several.write_bytes(workbook_bytes({"Empty": [], "January": [["Phone"], ["2125550101"]]}))
    found = preview_file(several)
    assert found.headers == () and found.mapping is None
    assert found.problems == ("the sheet 'Empty' has no rows: pick another sheet",)
    alone = tmp_path / "alone.xlsx"
    alone.write_bytes(workbook_bytes({"Empty": []}))
    with pytest.raises(UnreadableFile, match="no rows"):
        preview_file(alone)
