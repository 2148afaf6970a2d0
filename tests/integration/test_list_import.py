"""`dialer lists import` and the import service against a real PostgreSQL."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import openpyxl
import psycopg
import pytest

from campaigns.contact_import import service
from campaigns.contact_import.options import ImportOptions
from campaigns.contact_import.status import ImportState
from campaigns.storage import campaign_store
from tests.cli_runner import run_cli
from tests.list_files import FEBRUARY_NUMBERS, workbook_bytes

pytestmark = pytest.mark.usefixtures("db", "service_env")

Db = psycopg.Connection[tuple[Any, ...]]

HEADERS = ["First Name", "Last Name", "Phone", "Home", "ZIP", "Notes"]
ROWS = [
    ["Zoë", "Müller", "(212) 555-0100", "", "10001", 'said "later; maybe", ok'],
    ["José", "Ødegaard", "+44 20 7946 0958", "", "", "line one\nline two"],
    ["Ann", "Lee", "212.555.0100", "", "", "same number, other spelling"],
    ["Bo", "Kim", "+1 312 555 0142", "718-555-0199 x12", "60601", '=HYPERLINK("http://x")'],
    ["Cy", "Ng", "call me", "", "", "no number"],
    ["Di", "Oz", "", "", "", "empty phone"],
    ["Ed", "Wu", "1-800-FLOWERS", "", "", "vanity"],
]


def _csv_text(rows: list[list[str]], delimiter: str = ",") -> str:
    out = io.StringIO()
    csv.writer(out, delimiter=delimiter, lineterminator="\r\n").writerows(rows)
    return out.getvalue()


def _write_csv(
    path: Path, rows: list[list[str]], delimiter: str = ",", encoding: str = "utf-8"
) -> Path:
    path.write_bytes(_csv_text(rows, delimiter).encode(encoding))
    return path


def _write_xlsx(path: Path, rows: list[list[object]]) -> Path:
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    for row in rows:
        sheet.append(row)
    book.save(path)
    return path


def _campaign(capsys: pytest.CaptureFixture[str], name: str = "Demo") -> None:
    made = run_cli(capsys, "campaign", "create", name, "--caller-id", "+12025550100")
    assert made.code == 0, made.err


def _import(capsys: pytest.CaptureFixture[str], path: Path, *args: str) -> dict[str, Any]:
    result = run_cli(capsys, "lists", "import", str(path), "--workers", "0", "--json", *args)
    assert result.code == 0, result.err
    data: dict[str, Any] = result.json()
    return data


def _contacts(db: Db, campaign: str = "Demo") -> list[tuple[Any, ...]]:
    return db.execute(
        """SELECT c.phone_e164, c.phone_type, c.phone_label, split_part(c.person_key, ':', 2),
                  c.first_name, c.last_name, c.postal_code, c.time_zones, c.custom_fields,
                  c.state, c.block_reason
           FROM contacts c JOIN campaigns k ON k.id = c.campaign_id
           WHERE k.name = %s ORDER BY c.phone_e164""",
        (campaign,),
    ).fetchall()


def _rejects(db: Db, import_id: int) -> list[tuple[Any, ...]]:
    return db.execute(
        "SELECT row_number, reason, raw FROM import_rejects WHERE import_id = %s"
        " ORDER BY row_number",
        (import_id,),
    ).fetchall()


def test_import_prints_one_json_object_with_the_contract_counts(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, db: Db
) -> None:
    _campaign(capsys)
    data = _import(
        capsys, _write_csv(tmp_path / "list.csv", [HEADERS, *ROWS]), "--campaign", "Demo"
    )
    for key in ("rows", "imported", "duplicates", "invalid", "dnc"):
        assert isinstance(data[key], int), key
    assert isinstance(data["seconds"], float)
    assert data["rows"] == 7
    # Numbers: 5 distinct valid (212 once, 44, 312, 718, 800), 1 duplicate, 2 rows without one.
    assert (data["imported"], data["duplicates"], data["invalid"], data["dnc"]) == (5, 1, 2, 0)
    assert len(_contacts(db)) == 5
    assert data["rejects"] == f"dialer lists rejects {data['import_id']}"


def test_duplicates_written_differently_are_stored_once_and_reported(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, db: Db
) -> None:
    _campaign(capsys)
    data = _import(
        capsys, _write_csv(tmp_path / "list.csv", [HEADERS, *ROWS]), "--campaign", "Demo"
    )
    numbers = [row[0] for row in _contacts(db)]
    assert numbers.count("+12125550100") == 1
    kept = next(row for row in _contacts(db) if row[0] == "+12125550100")
    assert kept[3] == "2"  # the first spelling, row 2, wins
    rejects = {row: reason for row, reason, _ in _rejects(db, data["import_id"])}
    assert rejects[4] == "phone: duplicate of row 2"


def test_a_second_import_skips_numbers_already_in_the_campaign(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, db: Db
) -> None:
    _campaign(capsys)
    _import(
        capsys,
        _write_csv(tmp_path / "a.csv", [["Phone"], ["(212) 555-0100"]]),
        "--campaign",
        "Demo",
    )
    again = _import(
        capsys,
        _write_csv(tmp_path / "b.csv", [["Phone"], ["+1 212 555 0100"], ["312-555-0142"]]),
        "--campaign",
        "Demo",
    )
    assert (again["imported"], again["duplicates"]) == (1, 1)
    assert [r[1] for r in _rejects(db, again["import_id"])] == ["already in this campaign"]


def test_several_phone_columns_give_contacts_of_one_person(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, db: Db
) -> None:
    _campaign(capsys)
    _import(capsys, _write_csv(tmp_path / "list.csv", [HEADERS, *ROWS]), "--campaign", "Demo")
    bo = [row for row in _contacts(db) if row[4] == "Bo"]
    assert {(row[0], row[2]) for row in bo} == {("+13125550142", "phone"), ("+17185550199", "home")}
    assert len({row[3] for row in bo}) == 1  # one person key
    home = next(row for row in bo if row[2] == "home")
    assert home[8]["home_extension"] == "12"
    assert home[7] == ["America/Chicago", "America/New_York"]  # 718 is NY, ZIP 60601 Chicago
    assert "Phone" not in home[8] and home[8]["Notes"] == '=HYPERLINK("http://x")'


def test_a_file_whose_every_row_is_bad_imports_nothing_and_rejects_every_row(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, db: Db
) -> None:
    _campaign(capsys)
    path = _write_csv(
        tmp_path / "bad.csv", [["Name", "Phone"], ["A", "n/a"], ["B", "123"], ["C", ""]]
    )
    data = _import(capsys, path, "--campaign", "Demo")
    assert (data["rows"], data["imported"], data["invalid"]) == (3, 0, 3)
    assert [(r[0], r[1]) for r in _rejects(db, data["import_id"])] == [
        (2, "not a phone number"),
        (3, "too short for US"),
        (4, "no phone number"),
    ]


def test_an_empty_file_fails_with_one_line_and_changes_nothing(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, db: Db
) -> None:
    _campaign(capsys)
    empty = tmp_path / "empty.csv"
    empty.write_bytes(b"")
    result = run_cli(capsys, "lists", "import", str(empty), "--campaign", "Demo", "--json")
    assert result.code == 1
    assert "empty" in result.err and len(result.err.strip().splitlines()) == 1
    assert db.execute("SELECT count(*) FROM contact_lists").fetchone() == (0,)


def test_a_cut_file_imports_its_complete_rows_and_rejects_the_cut_one(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, db: Db
) -> None:
    _campaign(capsys)
    path = tmp_path / "cut.csv"
    path.write_text('Phone,Notes\n(212) 555-0100,ok\n(312) 555-0142,"half a no')
    data = _import(capsys, path, "--campaign", "Demo")
    assert (data["imported"], data["invalid"]) == (1, 1)
    assert "cut short" in _rejects(db, data["import_id"])[0][1]


def test_a_damaged_workbook_fails_with_one_line(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    _campaign(capsys)
    good = _write_xlsx(tmp_path / "good.xlsx", [["Phone"], ["(212) 555-0100"]])
    cut = tmp_path / "cut.xlsx"
    cut.write_bytes(good.read_bytes()[:-200])
    result = run_cli(capsys, "lists", "import", str(cut), "--campaign", "Demo")
    assert result.code == 1 and "XLSX" in result.err
    assert len(result.err.strip().splitlines()) == 1


def test_a_formula_is_stored_as_text_and_exported_defused(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, db: Db
) -> None:
    _campaign(capsys)
    path = _write_xlsx(
        tmp_path / "list.xlsx",
        [["Name", "Phone"], ['=HYPERLINK("http://evil")', "(212) 555-0100"], ["=1+1", "oops"]],
    )
    data = _import(capsys, path, "--campaign", "Demo")
    assert _contacts(db)[0][8] == {"Name": '=HYPERLINK("http://evil")'}
    exported = run_cli(capsys, "lists", "rejects", str(data["import_id"]))
    assert exported.code == 0, exported.err
    assert list(csv.reader(io.StringIO(exported.out))) == [
        ["row", "reason", "Name", "Phone"],
        ["3", "not a phone number", "'=1+1", "oops"],
    ]


def test_the_sheet_option_picks_a_workbooks_sheet(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, db: Db
) -> None:
    _campaign(capsys)
    path = tmp_path / "months.xlsx"
    path.write_bytes(workbook_bytes())
    shown = run_cli(capsys, "lists", "preview", str(path), "--sheet", "February")
    assert shown.code == 0, shown.err
    assert "Read me, January, February" in shown.out and "(212) 555-0103" in shown.out
    data = _import(capsys, path, "--campaign", "Demo", "--sheet", "February", "--region", "US")
    assert data["imported"] == len(FEBRUARY_NUMBERS)
    assert [c[0] for c in _contacts(db)] == FEBRUARY_NUMBERS
    missing = run_cli(capsys, "lists", "import", str(path), "--campaign", "Demo", "--sheet", "May")
    assert missing.code != 0 and "no sheet 'May'" in missing.err


VARIANTS = [
    ("semicolon-cp1252", lambda p: _write_csv(p / "l.csv", [HEADERS, *ROWS], ";", "cp1252")),
    ("tab-utf16", lambda p: _write_csv(p / "l.txt", [HEADERS, *ROWS], "\t", "utf-16")),
    ("pipe-utf8-bom", lambda p: _write_csv(p / "l.csv", [HEADERS, *ROWS], "|", "utf-8-sig")),
    ("comma-latin1", lambda p: _write_csv(p / "l.csv", [HEADERS, *ROWS], ",", "latin-1")),
    ("xlsx", lambda p: _write_xlsx(p / "l.xlsx", [HEADERS, *ROWS])),
]


@pytest.mark.parametrize(("name", "write"), VARIANTS, ids=[v[0] for v in VARIANTS])
def test_results_are_identical_whatever_the_delimiter_encoding_or_format(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, db: Db, name: str, write: Any
) -> None:
    _campaign(capsys, "Base")
    _campaign(capsys, "Variant")
    (tmp_path / "base").mkdir()
    (tmp_path / "variant").mkdir()
    base = _import(
        capsys, _write_csv(tmp_path / "base" / "l.csv", [HEADERS, *ROWS]), "--campaign", "Base"
    )
    variant = _import(capsys, write(tmp_path / "variant"), "--campaign", "Variant")
    counts = ("rows", "imported", "duplicates", "invalid", "dnc")
    assert [base[k] for k in counts] == [variant[k] for k in counts]
    assert _contacts(db, "Base") == _contacts(db, "Variant")
    strip = [(r[0], r[1], r[2]) for r in _rejects(db, base["import_id"])]
    assert strip == [(r[0], r[1], r[2]) for r in _rejects(db, variant["import_id"])]


def test_worker_processes_give_the_same_contacts_as_inline(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, db: Db
) -> None:
    _campaign(capsys, "Inline")
    _campaign(capsys, "Pool")
    rows = [
        [f"P{i}", f"({200 + i % 700}) 555-{i % 10000:04d}", f"{10000 + i}"] for i in range(3000)
    ]
    path = _write_csv(tmp_path / "big.csv", [["Name", "Phone", "ZIP"], *rows])
    inline = _import(capsys, path, "--campaign", "Inline")
    pooled = run_cli(
        capsys, "lists", "import", str(path), "--campaign", "Pool", "--workers", "2", "--json"
    )
    assert pooled.code == 0, pooled.err
    counts = ("rows", "imported", "duplicates", "invalid")
    assert [inline[k] for k in counts] == [pooled.json()[k] for k in counts]
    assert _contacts(db, "Inline") == _contacts(db, "Pool")


@pytest.fixture
def failing_insert(database_url: str, db: Db) -> Iterator[str]:
    """A trigger that fails the contacts insert on one number: a fault in the final statement."""
    number = "+13125550142"
    with psycopg.connect(database_url, autocommit=True) as conn:
        conn.execute(
            """CREATE FUNCTION test_fail_on_number() RETURNS trigger LANGUAGE plpgsql AS $$
               BEGIN
                   IF NEW.phone_e164 = '+13125550142' THEN
                       RAISE EXCEPTION 'disk full (test)';
                   END IF;
                   RETURN NEW;
               END $$"""
        )
        conn.execute(
            "CREATE TRIGGER test_fail_on_number BEFORE INSERT ON contacts"
            " FOR EACH ROW EXECUTE FUNCTION test_fail_on_number()"
        )
    try:
        yield number
    finally:
        db.rollback()  # the test's reads hold locks that DROP TRIGGER would wait for
        with psycopg.connect(database_url, autocommit=True) as conn:
            conn.execute("DROP TRIGGER test_fail_on_number ON contacts")
            conn.execute("DROP FUNCTION test_fail_on_number()")


def test_a_failed_import_leaves_the_campaign_as_it_was(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, db: Db, failing_insert: str
) -> None:
    _campaign(capsys)
    _import(
        capsys,
        _write_csv(tmp_path / "first.csv", [["Phone"], ["(212) 555-0100"]]),
        "--campaign",
        "Demo",
    )
    before = _contacts(db)
    result = run_cli(
        capsys, "lists", "import", str(_write_csv(tmp_path / "second.csv", [HEADERS, *ROWS])),
        "--campaign", "Demo", "--workers", "0", "--json",
    )  # fmt: skip
    assert result.code == 1
    assert "disk full (test)" in result.err and len(result.err.strip().splitlines()) == 1
    assert _contacts(db) == before
    assert db.execute("SELECT count(*) FROM contact_lists").fetchone() == (1,)
    assert db.execute("SELECT count(*) FROM import_rejects").fetchone() == (0,)
    state, error = db.execute(
        "SELECT state, error FROM list_imports ORDER BY id DESC LIMIT 1"
    ).fetchone() or (None, None)
    assert state == "failed" and "disk full (test)" in error


def test_numbers_dialed_lately_by_any_campaign_are_skipped_on_request(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, db: Db
) -> None:
    _campaign(capsys, "Old")
    _campaign(capsys, "New")
    db.execute(
        """INSERT INTO call_attempts (campaign_id, called_number, caller_id, dial_at)
           SELECT id, '+12125550100', '+12025550100', now() - interval '2 days'
           FROM campaigns WHERE name = 'Old'"""
    )
    db.commit()
    path = _write_csv(tmp_path / "l.csv", [["Phone"], ["(212) 555-0100"], ["(312) 555-0142"]])
    data = _import(capsys, path, "--campaign", "New", "--skip-dialed-days", "7")
    assert (data["imported"], data["skipped_recent"]) == (1, 1)
    assert _rejects(db, data["import_id"])[0][1] == "dialed in the last 7 days"


def test_a_mapping_given_once_is_saved_and_reused_by_name(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, db: Db
) -> None:
    _campaign(capsys)
    path = _write_csv(tmp_path / "v.csv", [["Nom", "Tel portable"], ["Ann", "(212) 555-0100"]])
    _import(
        capsys, path, "--campaign", "Demo", "--map", "phone=Tel portable:mobile",
        "--map", "first_name=Nom", "--save-mapping", "vendor",
    )  # fmt: skip
    listed = run_cli(capsys, "lists", "mapping", "list", "--campaign", "Demo", "--json")
    assert listed.json()[0]["name"] == "vendor"
    path2 = _write_csv(tmp_path / "v2.csv", [["Nom", "Tel portable"], ["Bo", "(312) 555-0142"]])
    _import(capsys, path2, "--campaign", "Demo", "--mapping-template", "vendor")
    assert {(row[4], row[2]) for row in _contacts(db)} == {("Ann", "mobile"), ("Bo", "mobile")}


def test_preview_shows_how_the_file_reads_and_the_mapping_it_would_use(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    path = _write_csv(tmp_path / "l.csv", [HEADERS, *ROWS], ";", "cp1252")
    shown = run_cli(capsys, "lists", "preview", str(path), "--rows", "2", "--json")
    assert shown.code == 0, shown.err
    data = shown.json()
    assert (data["format"], data["encoding"], data["delimiter"]) == ("csv", "cp1252", ";")
    assert data["headers"] == HEADERS
    assert data["rows"] == ROWS[:2]
    assert [p["header"] for p in data["mapping"]["phones"]] == ["Phone", "Home"]


def test_the_service_queues_runs_once_and_reports_status(tmp_path: Path, database_url: str) -> None:
    from campaigns.campaign import CampaignSpec, validate_spec

    path = _write_csv(tmp_path / "l.csv", [HEADERS, *ROWS])
    with psycopg.connect(database_url) as conn:
        campaign = campaign_store.insert_campaign(
            conn, validate_spec(CampaignSpec(name="Svc", caller_id="+12025550100"))
        )
        import_id = service.start_import(conn, campaign.id, path, options=ImportOptions())
        queued = service.get_import(conn, import_id)
    assert queued.state is ImportState.QUEUED and queued.progress == 0
    seen: list[float] = []
    done = service.run_import(database_url, import_id, lambda p: seen.append(p.fraction), workers=0)
    assert done.state is ImportState.DONE and done.progress == 1 and done.list_id is not None
    assert done.counts.imported == 5 and seen
    again = service.run_import(database_url, import_id, workers=0)
    assert again.counts == done.counts  # not imported twice
    with psycopg.connect(database_url) as conn:
        assert conn.execute("SELECT count(*) FROM contacts").fetchone() == (5,)


def test_small_chunks_store_the_same_contacts_and_reasons_as_one(
    tmp_path: Path, database_url: str
) -> None:
    from campaigns.campaign import CampaignSpec, validate_spec

    rows = [*ROWS, *ROWS, ["Fi", "Xu", "(212) 555-0100", "(312) 555-0142", "", ""]]
    path = _write_csv(tmp_path / "l.csv", [HEADERS, *rows])
    results = []
    for name, batch_rows, chunk_lines in (("One", 4000, 100_000), ("Many", 2, 3)):
        with psycopg.connect(database_url) as conn:
            campaign = campaign_store.insert_campaign(
                conn, validate_spec(CampaignSpec(name=name, caller_id="+12025550100"))
            )
            import_id = service.start_import(conn, campaign.id, path)
        done = service.run_import(
            database_url, import_id, workers=0, batch_rows=batch_rows, chunk_lines=chunk_lines
        )
        with psycopg.connect(database_url) as conn:
            results.append((done.counts, _contacts(conn, name), _rejects(conn, import_id)))
    assert results[0] == results[1]
    assert results[0][0].duplicates == 9  # 1 in ROWS, 6 in its copy, 2 on the last row
