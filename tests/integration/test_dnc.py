"""Do-not-call lists: imported, checked at list import, and blocking existing contacts at once."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import psycopg
import pytest

from tests.cli_runner import run_cli

pytestmark = pytest.mark.usefixtures("db", "service_env")

Db = psycopg.Connection[tuple[Any, ...]]


def _campaign(capsys: pytest.CaptureFixture[str], name: str) -> None:
    made = run_cli(capsys, "campaign", "create", name, "--caller-id", "+12025550100")
    assert made.code == 0, made.err


def _file(path: Path, text: str) -> str:
    path.write_text(text)
    return str(path)


def _states(db: Db, campaign: str) -> dict[str, tuple[str, str | None]]:
    rows = db.execute(
        """SELECT c.phone_e164, c.state, c.block_reason FROM contacts c
           JOIN campaigns k ON k.id = c.campaign_id WHERE k.name = %s""",
        (campaign,),
    ).fetchall()
    db.commit()
    return {phone: (state, reason) for phone, state, reason in rows}


LIST = "Name,Phone\nAnn,(212) 555-0100\nBo,(312) 555-0142\nCy,(415) 555-0199\n"


def test_dnc_import_prints_rows_added_and_invalid(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    path = _file(tmp_path / "dnc.csv", "Phone\n(212) 555-0100\n212.555.0100\nnot a number\n")
    result = run_cli(capsys, "dnc", "import", path, "--workers", "0", "--json")
    assert result.code == 0, result.err
    data = result.json()
    assert (data["rows"], data["added"], data["invalid"]) == (3, 1, 1)
    again = run_cli(capsys, "dnc", "import", path, "--workers", "0", "--json")
    assert again.json()["added"] == 0  # already listed


def test_contacts_on_a_dnc_list_are_stored_not_dialable_with_the_reason(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, db: Db
) -> None:
    _campaign(capsys, "Demo")
    dnc = _file(tmp_path / "dnc.csv", "Phone\n+1 212 555 0100\n")
    assert run_cli(capsys, "dnc", "import", dnc, "--source", "FTC copy", "--workers", "0").code == 0
    imported = run_cli(
        capsys, "lists", "import", _file(tmp_path / "l.csv", LIST), "--campaign", "Demo",
        "--workers", "0", "--json",
    )  # fmt: skip
    assert imported.code == 0, imported.err
    assert (imported.json()["imported"], imported.json()["dnc"]) == (2, 1)
    state, reason = _states(db, "Demo")["+12125550100"]
    assert state == "dnc"
    assert reason is not None and reason.startswith("on the global DNC list (FTC copy, added ")


def test_a_campaign_dnc_list_blocks_only_that_campaign(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, db: Db
) -> None:
    _campaign(capsys, "A")
    _campaign(capsys, "B")
    for name in ("A", "B"):
        run_cli(capsys, "lists", "import", _file(tmp_path / f"{name}.csv", LIST), "--campaign",
                name, "--workers", "0")  # fmt: skip
    added = run_cli(capsys, "dnc", "add", "312-555-0142", "--campaign", "A", "--json")
    assert added.code == 0, added.err
    assert added.json() == {"number": "+13125550142", "added": 1, "blocked": 1}
    assert _states(db, "A")["+13125550142"][0] == "dnc"
    assert _states(db, "B")["+13125550142"][0] == "dialable"


def test_dnc_added_after_an_import_blocks_its_contacts_at_once(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, db: Db
) -> None:
    _campaign(capsys, "Demo")
    run_cli(capsys, "lists", "import", _file(tmp_path / "l.csv", LIST), "--campaign", "Demo",
            "--workers", "0")  # fmt: skip
    assert {s for s, _ in _states(db, "Demo").values()} == {"dialable"}
    dnc = _file(tmp_path / "dnc.csv", "Phone\n415.555.0199\n2125550100\n")
    result = run_cli(capsys, "dnc", "import", dnc, "--workers", "0", "--json")
    assert result.code == 0, result.err
    assert result.json()["blocked"] == 2
    states = _states(db, "Demo")
    assert states["+14155550199"][0] == "dnc" and states["+12125550100"][0] == "dnc"
    assert states["+13125550142"] == ("dialable", None)
    assert "dnc.csv" in (states["+14155550199"][1] or "")


def test_check_names_every_list_holding_a_number(
    capsys: pytest.CaptureFixture[str],
) -> None:
    _campaign(capsys, "Demo")
    run_cli(capsys, "dnc", "add", "(212) 555-0100")
    run_cli(capsys, "dnc", "add", "+1 212 555 0100", "--campaign", "Demo", "--source", "agent")
    found = run_cli(capsys, "dnc", "check", "212.555.0100", "--json")
    assert [(e["list"], e["source"]) for e in found.json()] == [
        ("global", "manual"),
        ("Demo", "agent"),
    ]
    refused = run_cli(capsys, "dnc", "add", "555-0100")
    assert refused.code == 1 and "area code" in refused.err
