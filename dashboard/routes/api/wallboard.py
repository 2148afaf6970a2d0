"""/api/v1/campaigns/<id>/wallboard: every live figure of one campaign in one answer (the
wallboard page fetches it again on each live event and every few seconds)."""

from __future__ import annotations

from flask import Blueprint, current_app, jsonify
from flask.typing import ResponseReturnValue

from campaigns.storage import campaign_store
from dashboard.access import managers
from dashboard.db import get_db, pool
from dashboard.live_agents import now, redis_client
from dashboard.openapi import documented
from dashboard.wallboard_schemas import wallboard_json
from dialer.wallboard import read_wallboard
from dialer.wallboard_contacts import ContactCounter

blueprint = Blueprint("api_wallboard", __name__, url_prefix="/api/v1")
_COUNTER = "dialer.wallboard_contacts"


def contact_counter() -> ContactCounter:
    """One per app: its background recounts borrow connections from the app's pool."""
    counter: ContactCounter | None = current_app.extensions.get(_COUNTER)
    if counter is None:  # two threads may both build one: harmless, the last one stays
        counter = ContactCounter(redis_client(), pool(current_app).connection)
        current_app.extensions[_COUNTER] = counter
    return counter


@blueprint.get("/campaigns/<int:campaign_id>/wallboard")
@managers
@documented(
    "A campaign's live wallboard",
    response="Wallboard",
    description="Agents by state with time in state, calls in progress, dials and answers of "
    "the last 15 minutes, the current dial ratio, abandonment today and over the rule set's "
    "window against the campaign's target and the cap, dialable contacts and why the rest are "
    "blocked (recounted in the background every 30 s: see counted_at), worker lines in use.",
)
def campaign_wallboard(campaign_id: int) -> ResponseReturnValue:
    conn = get_db()
    campaign = campaign_store.get_campaign(conn, campaign_id)  # NotFound answers 404
    board = read_wallboard(conn, redis_client(), contact_counter(), campaign, now())
    return jsonify(wallboard_json(board))
