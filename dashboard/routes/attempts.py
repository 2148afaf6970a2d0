"""/attempts/<id>: one call attempt for supervisors and admins, with its recording to play.

Agents see their calls on the console; recordings are not theirs to replay (403 here).
"""

from __future__ import annotations

from flask import Blueprint, abort, render_template
from flask.typing import ResponseReturnValue

from campaigns.storage import attempt_query, campaign_store, recording_store
from dashboard.access import managers
from dashboard.db import get_db

blueprint = Blueprint("attempts", __name__, url_prefix="/attempts")


@blueprint.get("/<int:attempt_id>")
@managers
def show(attempt_id: int) -> ResponseReturnValue:
    db = get_db()
    attempt = attempt_query.get_attempt(db, attempt_id)
    if attempt is None:
        abort(404, f"no call attempt with id {attempt_id}")
    return render_template(
        "attempts/show.html",
        attempt=attempt,
        campaign=campaign_store.get_campaign(db, attempt.campaign_id),
        recording=recording_store.recording_of(db, attempt_id),
    )
