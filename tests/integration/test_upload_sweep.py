"""Uploads nobody confirmed (a file left on the mapping step) are deleted once old, at the next
upload and when the dashboard starts; a file an unfinished import still reads is kept."""

from __future__ import annotations

import io
import os
import time
from pathlib import Path
from typing import Any

import psycopg
from flask import Flask

from campaigns.contact_import import service
from dashboard.import_sweeps import delete_abandoned_uploads, sweep_at_start
from tests.dashboard_fixtures import DashboardClient
from tests.factories import make_campaign
from tests.list_files import MESSY_CSV

HOUR = 3600.0


def _upload_folder(uploads: Path, name: str, age_s: float) -> Path:
    folder = uploads / name
    folder.mkdir(parents=True)
    (folder / "list.csv").write_bytes(MESSY_CSV)
    then = time.time() - age_s
    os.utime(folder, (then, then))
    return folder


def test_uploads_left_on_the_mapping_step_are_deleted_after_a_day(
    supervisor: DashboardClient, db: psycopg.Connection[Any], dashboard_app: Flask
) -> None:
    campaign = make_campaign(db, "Spring")
    uploads = Path(dashboard_app.config["DIALER_SETTINGS"].data_dir) / "uploads"
    abandoned = _upload_folder(uploads, "a" * 32, 25 * HOUR)
    recent = _upload_folder(uploads, "b" * 32, 23 * HOUR)
    in_use = _upload_folder(uploads, "c" * 32, 25 * HOUR)
    # An import queued a day ago and still unfinished (its process holds it): its file stays.
    service.start_import(db, campaign.id, in_use / "list.csv")
    os.utime(in_use, (time.time() - 25 * HOUR,) * 2)

    answer = supervisor.post(
        f"/campaigns/{campaign.id}/lists",
        data={"file": (io.BytesIO(MESSY_CSV), "new.csv"), "csrf_token": supervisor.csrf_token()},
    )
    assert answer.status_code == 302
    new_token = answer.headers["Location"].rsplit("/", 1)[1]
    left = {p.name for p in uploads.iterdir()}
    assert abandoned.name not in left
    assert {recent.name, in_use.name, new_token} <= left
    # The mapping page of the deleted upload says so.
    gone = supervisor.get(f"/campaigns/{campaign.id}/lists/uploads/{abandoned.name}")
    assert gone.status_code == 404


def test_the_age_limit_is_a_setting_and_the_dashboard_sweeps_at_start(
    db: psycopg.Connection[Any], dashboard_app: Flask
) -> None:
    uploads = Path(dashboard_app.config["DIALER_SETTINGS"].data_dir) / "uploads"
    two_hours = _upload_folder(uploads, "d" * 32, 2 * HOUR)
    with dashboard_app.app_context():
        swept = delete_abandoned_uploads(db, uploads, max_age_s=1 * HOUR)
    assert swept.deleted == 1 and not two_hours.exists()

    old = _upload_folder(uploads, "e" * 32, 48 * HOUR)
    sweep_at_start(dashboard_app)
    assert not old.exists()
