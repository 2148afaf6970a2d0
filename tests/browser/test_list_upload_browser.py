"""A supervisor uploads a messy list in headless Chromium: maps its columns on the preview,
starts the import, watches it finish, reads the summary and downloads the rejected rows.
Screenshots land in tests/artifacts/lists-*.png."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from pathlib import Path
from typing import Any

import psycopg
from playwright.sync_api import Page, expect

from campaigns.storage import dnc_store
from tests.factories import make_campaign
from tests.list_files import DNC_NUMBER, EXPECTED, FEBRUARY_NUMBERS, MESSY_CSV, workbook_bytes

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _shot(page: Page, artifacts: Path, name: str) -> None:
    page.screenshot(path=str(artifacts / f"lists-{name}.png"), full_page=True)


def test_a_supervisor_uploads_maps_imports_and_downloads_rejects(
    sign_in: Callable[[str], Page], artifacts: Path, db: psycopg.Connection[Any]
) -> None:
    campaign = make_campaign(db, "Spring")
    dnc_store.add_dnc(db, None, DNC_NUMBER, "test", None)
    page = sign_in("supervisor")

    page.goto(f"/campaigns/{campaign.id}")
    page.click("text=upload & imports")
    expect(page.locator("h1")).to_contain_text("Lists")
    page.set_input_files(
        "input[type=file]",
        {"name": "spring list.csv", "mimeType": "text/csv", "buffer": MESSY_CSV},
    )
    _shot(page, artifacts, "1-upload")
    page.click("text=Upload and map columns")

    expect(page.locator("h1")).to_contain_text("Map columns")
    preview = page.locator("#preview")
    expect(preview).to_contain_text("Prénom")
    expect(preview).to_contain_text("(202) 555-0143")
    page.select_option("select[aria-label='role of Prénom']", "first_name")
    page.select_option("select[aria-label='role of Nom']", "last_name")
    page.select_option("select[aria-label='role of Téléphone']", "phone")
    page.select_option("select[aria-label='role of Code postal']", "postal_code")
    page.fill("input[name=save_template]", "crm export")
    _shot(page, artifacts, "2-mapping")
    page.click("text=Start import")

    expect(page.locator("#import-status")).to_have_attribute("data-state", "done", timeout=60_000)
    for key, value in EXPECTED.items():
        expect(page.locator(f"[data-count={key}]")).to_have_text(str(value))
    _shot(page, artifacts, "3-summary")

    with page.expect_download() as download_info:
        page.click("#rejects-link")
    download = download_info.value
    saved = artifacts / "lists-rejects.csv"
    download.save_as(saved)
    rows = list(csv.reader(io.StringIO(saved.read_text(encoding="utf-8-sig"))))
    assert len(rows) == 1 + EXPECTED["rejected_rows"]
    assert any(cell == "'=2+3" for row in rows for cell in row)

    page.goto(f"/campaigns/{campaign.id}")
    expect(page.locator("#list-penetration")).to_contain_text("spring list")
    _shot(page, artifacts, "4-campaign")


def test_a_supervisor_imports_a_dnc_file_from_the_dnc_page(
    sign_in: Callable[[str], Page], artifacts: Path, db: psycopg.Connection[Any]
) -> None:
    campaign = make_campaign(db, "Spring")
    page = sign_in("supervisor")
    page.goto(f"/dnc?campaign_id={campaign.id}")
    page.click("text=Bulk import")
    expect(page.locator("select[name=campaign_id]")).to_have_value(str(campaign.id))
    page.set_input_files(
        "input[type=file]",
        {"name": "dnc.csv", "mimeType": "text/csv", "buffer": b"phone\n2025550143\n12345\n"},
    )
    page.fill("input[name=source]", "customer requests")
    page.click("main button.primary")
    for key, value in {"rows": 2, "added": 1, "invalid": 1, "blocked": 0}.items():
        expect(page.locator(f"#dnc-summary [data-count={key}]")).to_have_text(str(value))
    _shot(page, artifacts, "5-dnc-import")


def test_a_supervisor_picks_the_sheet_of_a_workbook_to_import(
    sign_in: Callable[[str], Page], artifacts: Path, db: psycopg.Connection[Any]
) -> None:
    campaign = make_campaign(db, "Spring")
    page = sign_in("supervisor")
    page.goto(f"/campaigns/{campaign.id}/lists")
    page.set_input_files(
        "input[type=file]",
        {"name": "months.xlsx", "mimeType": XLSX, "buffer": workbook_bytes()},
    )
    page.click("text=Upload and map columns")

    expect(page.locator("h1")).to_contain_text("Map columns")
    expect(page.locator("select[aria-label=sheet]")).to_have_value("Read me")
    page.select_option("select[aria-label=sheet]", "February")
    page.click("text=Show this sheet")
    expect(page.locator("#preview")).to_contain_text("(212) 555-0103")
    expect(page.locator("select[aria-label='role of Phone']")).to_have_value("phone")
    _shot(page, artifacts, "6-sheet-picker")
    page.click("text=Start import")

    expect(page.locator("#import-status")).to_have_attribute("data-state", "done", timeout=60_000)
    expect(page.locator("[data-count=imported]")).to_have_text(str(len(FEBRUARY_NUMBERS)))
