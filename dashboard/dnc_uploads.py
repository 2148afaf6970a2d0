"""A DNC file from the dashboard or the API, imported while the request waits.

Synchronous on purpose: DNC files are one column of numbers, bounded by the upload limit, and
the engine reads them on every core (about 50,000 rows a second here), so the person gets the
summary (rows, added, invalid, blocked) in the answer instead of another page to poll. The
upload is deleted afterwards: unlike a call list, nothing refers to it again."""

from __future__ import annotations

from flask import request

from campaigns.contact_import import dnc_import
from campaigns.errors import UnreadableFile, ValidationError
from campaigns.storage import campaign_store
from dashboard.auth import current_user
from dashboard.db import get_db
from dashboard.import_runner import database_url
from dashboard.list_uploads import discard, save_upload

# The global list has no campaign whose default region would apply.
GLOBAL_REGION = "US"


def run_dnc_import(campaign_field: str) -> dnc_import.DncImportResult:
    """Import the request's `file` (form fields campaign_id, source, region)."""
    conn = get_db()
    campaign_id = None
    region = GLOBAL_REGION
    if campaign_field.strip():
        if not campaign_field.strip().isdigit():
            raise ValidationError(["campaign_id: a campaign's id, or empty for the global list"])
        campaign = campaign_store.get_campaign(conn, int(campaign_field))
        campaign_id, region = campaign.id, campaign.spec.default_region
    saved = save_upload(request.files.get("file"))
    user = current_user()
    try:
        return dnc_import.import_dnc_file(
            database_url(),
            saved.path,
            campaign_id,
            source=request.form.get("source", "").strip() or saved.filename,
            region=request.form.get("region", "").strip() or region,
            added_by=user.id if user else None,
        )
    except UnreadableFile as error:
        raise ValidationError([f"file: {error}"]) from error
    finally:
        discard(saved)
