"""Call lists through the dashboard pages (upload -> mapping -> import -> summary -> rejects),
against real PostgreSQL and Redis, the import running in the app's background thread."""

from __future__ import annotations

import csv
import io
import re
import time
from pathlib import Path
from typing import Any

import psycopg
from flask import Flask

from campaigns.campaign import Campaign
from campaigns.contact_import import service
from campaigns.storage import dnc_store, mapping_store
from dashboard.db import get_db
from dashboard.import_runner import start_in_background
from tests.dashboard_fixtures import DashboardClient
from tests.factories import make_campaign
from tests.list_files import (
    DNC_NUMBER,
    EXPECTED,
    FEBRUARY_NUMBERS,
    MESSY_CSV,
    workbook_bytes,
)


def _upload(client: DashboardClient, campaign_id: int, data: bytes, name: str) -> Any:
    return client.post(
        f"/campaigns/{campaign_id}/lists",
        data={"file": (io.BytesIO(data), name), "csrf_token": client.csrf_token()},
    )


def wait_for_import(client: DashboardClient, import_id: int) -> dict[str, Any]:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        status = client.get(f"/api/v1/imports/{import_id}").json
        assert status is not None
        if status["state"] in ("done", "failed"):
            return status
        time.sleep(0.2)
    raise AssertionError(f"import {import_id} did not end: {status}")


def counts_in_db(db: psycopg.Connection[Any], campaign_id: int) -> dict[str, int]:
    rows = db.execute(
        "SELECT state, count(*) FROM contacts WHERE campaign_id = %s GROUP BY state", (campaign_id,)
    ).fetchall()
    return {str(state): int(n) for state, n in rows}


def _campaign_with_dnc(db: psycopg.Connection[Any]) -> Campaign:
    campaign = make_campaign(db, "Spring")
    dnc_store.add_dnc(db, None, DNC_NUMBER, "test", None)
    db.commit()
    return campaign


def test_a_messy_csv_is_uploaded_mapped_imported_and_summarised(
    supervisor: DashboardClient, db: psycopg.Connection[Any], dashboard_app: Flask
) -> None:
    campaign = _campaign_with_dnc(db)
    page = supervisor.get(f"/campaigns/{campaign.id}")
    assert f"/campaigns/{campaign.id}/lists" in page.get_data(as_text=True)

    uploaded = _upload(supervisor, campaign.id, MESSY_CSV, "spring list.csv")
    assert uploaded.status_code == 302
    mapping_url = uploaded.headers["Location"]
    assert re.search(rf"/campaigns/{campaign.id}/lists/uploads/[0-9a-f]{{32}}$", mapping_url)

    mapping = supervisor.get(mapping_url).get_data(as_text=True)
    # The preview shows the rows as the engine reads them: cp1252 decoded, ';' split.
    assert "cp1252" in mapping and "Prénom" in mapping and "(202) 555-0143" in mapping
    assert 'value="phone" selected' in mapping  # Téléphone guessed as the phone column

    started = supervisor.post(
        mapping_url,
        data={
            "csrf_token": supervisor.csrf_token(),
            "header": ["Prénom", "Nom", "Téléphone", "Code postal", "Notes"],
            "role_0": "first_name",
            "role_1": "last_name",
            "role_2": "phone",
            "role_3": "postal_code",
            "role_4": "custom",
            "has_header": "1",
            "region": "US",
            "save_template": "crm export",
            "action": "import",
        },
    )
    assert started.status_code == 302, started.get_data(as_text=True)
    import_id = int(started.headers["Location"].rsplit("/", 1)[1])
    status = wait_for_import(supervisor, import_id)
    assert status["state"] == "done", status["error"]
    assert {k: status[k] for k in EXPECTED} == EXPECTED
    upload_folder = Path(dashboard_app.config["DIALER_SETTINGS"].data_dir) / "uploads"
    deadline = time.monotonic() + 10
    while any(upload_folder.iterdir()) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not any(upload_folder.iterdir()), "the uploaded file outlived its import"

    in_db = counts_in_db(db, campaign.id)
    assert in_db == {"dialable": EXPECTED["imported"], "dnc": EXPECTED["dnc"]}
    first = db.execute(
        "SELECT first_name, last_name, custom_fields FROM contacts WHERE phone_e164 = %s",
        ("+12025550143",),
    ).fetchone()
    assert first is not None and first[0] == "José" and first[1] == "Müller"
    assert first[2]["Notes"] == "café crème"
    assert [name for name, _ in mapping_store.list_templates(db, campaign.id)] == ["crm export"]

    summary = supervisor.get(f"/imports/{import_id}").get_data(as_text=True)
    assert "spring list.csv" in summary and "rejects.csv" in summary

    rejects = supervisor.get(f"/imports/{import_id}/rejects.csv")
    assert rejects.status_code == 200 and rejects.mimetype == "text/csv"
    rows = list(csv.reader(io.StringIO(rejects.get_data().decode("utf-8-sig"))))
    assert rows[0][:2] == ["row", "reason"] and len(rows) == 1 + EXPECTED["rejected_rows"]
    formula_row = next(r for r in rows if r[rows[0].index("Nom")] == "Cell")
    assert formula_row[rows[0].index("Téléphone")] == "'=2+3"
    assert formula_row[rows[0].index("Notes")].startswith("'=HYPERLINK")

    lists_page = supervisor.get(f"/campaigns/{campaign.id}/lists").get_data(as_text=True)
    assert "spring list.csv" in lists_page and 'id="penetration"' in lists_page


def test_an_empty_or_garbage_file_is_refused_clearly_and_nothing_is_stored(
    supervisor: DashboardClient, db: psycopg.Connection[Any], dashboard_app: Flask
) -> None:
    campaign = make_campaign(db, "Spring")
    uploads = Path(dashboard_app.config["DIALER_SETTINGS"].data_dir) / "uploads"
    for data, name, message in [
        (b"", "empty.csv", "is empty (0 bytes)"),
        (b"\x00\x01\x02PK\x03garbage" * 50, "list.xlsx", "no column looks like phone numbers"),
        (b"%PDF-1.4 whatever", "list.pdf", "is not a .csv"),
    ]:
        answer = _upload(supervisor, campaign.id, data, name)
        assert answer.status_code == 302
        shown = supervisor.get(answer.headers["Location"]).get_data(as_text=True)
        assert message in shown, shown
    assert db.execute("SELECT count(*) FROM list_imports").fetchone() == (0,)
    assert db.execute("SELECT count(*) FROM contacts").fetchone() == (0,)
    assert not uploads.exists() or not any(uploads.iterdir())


def test_a_file_without_phone_column_stays_on_the_mapping_step(
    supervisor: DashboardClient, db: psycopg.Connection[Any]
) -> None:
    campaign = make_campaign(db, "Spring")
    uploaded = _upload(supervisor, campaign.id, MESSY_CSV, "list.csv")
    answer = supervisor.post(
        uploaded.headers["Location"],
        data={
            "csrf_token": supervisor.csrf_token(),
            "header": ["Prénom", "Nom", "Téléphone", "Code postal", "Notes"],
            "role_0": "first_name",
            "role_1": "first_name",
            "action": "import",
        },
    )
    assert answer.status_code == 400
    text = answer.get_data(as_text=True)
    assert "give at least one column the role phone" in text and "given to both" in text
    assert db.execute("SELECT count(*) FROM list_imports").fetchone() == (0,)


def test_list_pages_are_for_supervisors_and_admins_only(
    agent: DashboardClient, anonymous: DashboardClient, db: psycopg.Connection[Any]
) -> None:
    campaign = make_campaign(db, "Spring")
    for url in ["/lists", f"/campaigns/{campaign.id}/lists", "/imports/1", "/dnc/import"]:
        assert agent.get(url).status_code == 403, url
        answer = anonymous.get(url)
        assert answer.status_code == 302 and "/login" in answer.headers["Location"], url
    assert _upload(agent, campaign.id, MESSY_CSV, "x.csv").status_code == 403
    assert anonymous.get("/api/v1/imports/1").status_code == 401


def test_writes_without_csrf_are_refused_and_unknown_things_are_404(
    supervisor: DashboardClient, db: psycopg.Connection[Any]
) -> None:
    campaign = make_campaign(db, "Spring")
    no_csrf = supervisor.post(
        f"/campaigns/{campaign.id}/lists", data={"file": (io.BytesIO(MESSY_CSV), "x.csv")}
    )
    assert no_csrf.status_code == 400
    api_no_csrf = supervisor.post(
        f"/api/v1/campaigns/{campaign.id}/lists", data={"file": (io.BytesIO(MESSY_CSV), "x.csv")}
    )
    assert api_no_csrf.status_code == 400 and api_no_csrf.json["error"] == "csrf_failed"
    assert _upload(supervisor, 999, MESSY_CSV, "x.csv").status_code == 404
    assert supervisor.get("/imports/999").status_code == 404
    assert supervisor.get("/imports/999/rejects.csv").status_code == 404
    assert supervisor.get(f"/campaigns/{campaign.id}/lists/uploads/{'0' * 32}").status_code == 404
    assert supervisor.get(f"/campaigns/{campaign.id}/lists/uploads/..%2f..").status_code == 404
    assert db.execute("SELECT count(*) FROM list_imports").fetchone() == (0,)


def test_a_failed_import_shows_its_error_and_leaves_the_campaign_as_it_was(
    supervisor: DashboardClient, db: psycopg.Connection[Any], dashboard_app: Flask
) -> None:
    campaign = make_campaign(db, "Spring")
    uploaded = _upload(supervisor, campaign.id, MESSY_CSV, "list.csv")
    token = uploaded.headers["Location"].rsplit("/", 1)[1]
    uploads = Path(dashboard_app.config["DIALER_SETTINGS"].data_dir) / "uploads" / token
    with dashboard_app.app_context():
        conn = get_db()
        import_id = service.start_import(conn, campaign.id, uploads / "list.csv")
        # The file changes after it was checked (another upload, a disk problem): the run fails.
        (uploads / "list.csv").write_bytes(b"Other;Columns\n1;2\n")
        start_in_background(import_id).join(timeout=60)
    status = wait_for_import(supervisor, import_id)
    assert status["state"] == "failed" and "the file changed" in status["error"]
    page = supervisor.get(f"/imports/{import_id}").get_data(as_text=True)
    assert "the file changed since it was checked" in page
    assert db.execute("SELECT count(*) FROM contacts").fetchone() == (0,)
    assert db.execute("SELECT count(*) FROM contact_lists").fetchone() == (0,)


def test_a_file_over_the_upload_limit_is_refused_with_the_limit(
    supervisor: DashboardClient, db: psycopg.Connection[Any], dashboard_app: Flask
) -> None:
    campaign = make_campaign(db, "Spring")
    dashboard_app.config["MAX_CONTENT_LENGTH"] = 2 * 1024 * 1024
    answer = _upload(supervisor, campaign.id, b"phone\n" + b"2025550143\n" * 300_000, "big.csv")
    assert answer.status_code == 413
    assert "larger than the 2 MB upload limit" in answer.get_data(as_text=True)
    assert db.execute("SELECT count(*) FROM list_imports").fetchone() == (0,)


def test_a_workbook_of_several_sheets_is_imported_from_the_sheet_picked(
    supervisor: DashboardClient, db: psycopg.Connection[Any]
) -> None:
    campaign = make_campaign(db, "Spring")
    # Its first sheet holds notes, no phone column: the upload still reaches the mapping step.
    uploaded = _upload(supervisor, campaign.id, workbook_bytes(), "months.xlsx")
    assert uploaded.status_code == 302
    mapping_url = uploaded.headers["Location"]
    assert "/uploads/" in mapping_url
    first = supervisor.get(mapping_url).get_data(as_text=True)
    assert 'id="sheet-picker"' in first
    assert '<option value="Read me" selected>' in first
    assert '<option value="January" >' in first and '<option value="February" >' in first
    assert "no column looks like phone numbers" in first

    february = supervisor.get(f"{mapping_url}?sheet=February").get_data(as_text=True)
    assert '<option value="February" selected>' in february
    assert "(212) 555-0103" in february and "(212) 555-0101" not in february
    assert '<input type="hidden" name="sheet" value="February">' in february
    assert 'value="phone" selected' in february

    started = supervisor.post(
        mapping_url,
        data={
            "csrf_token": supervisor.csrf_token(),
            "header": ["Name", "Phone"],
            "role_0": "first_name",
            "role_1": "phone",
            "has_header": "1",
            "sheet": "February",
            "region": "US",
            "action": "import",
        },
    )
    assert started.status_code == 302, started.get_data(as_text=True)
    status = wait_for_import(supervisor, int(started.headers["Location"].rsplit("/", 1)[1]))
    assert status["state"] == "done", status["error"]
    assert status["imported"] == len(FEBRUARY_NUMBERS)
    stored = db.execute(
        "SELECT phone_e164 FROM contacts WHERE campaign_id = %s ORDER BY phone_e164",
        (campaign.id,),
    ).fetchall()
    assert [row[0] for row in stored] == FEBRUARY_NUMBERS


def test_an_empty_or_unknown_sheet_keeps_the_upload_on_the_mapping_step(
    supervisor: DashboardClient, db: psycopg.Connection[Any]
) -> None:
    campaign = make_campaign(db, "Spring")
    book = workbook_bytes({"Empty": [], "January": [["Phone"], ["2125550101"]]})
    uploaded = _upload(supervisor, campaign.id, book, "m.xlsx")
    mapping_url = uploaded.headers["Location"]
    assert "/uploads/" in mapping_url  # an empty first sheet does not refuse the workbook
    shown = supervisor.get(mapping_url).get_data(as_text=True)
    assert "the sheet &#39;Empty&#39; has no rows: pick another sheet" in shown
    assert '<option value="Empty" selected>' in shown
    january = supervisor.get(f"{mapping_url}?sheet=January").get_data(as_text=True)
    assert "2125550101" in january

    answer = supervisor.get(f"{mapping_url}?sheet=March")
    assert answer.status_code == 302 and answer.headers["Location"].endswith(mapping_url)
    assert "no sheet &#39;March&#39;" in supervisor.get(mapping_url).get_data(as_text=True)
