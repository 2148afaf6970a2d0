"""The live wallboard per campaign, for admins and supervisors.

The page is rendered complete on the server from the same answer as
/api/v1/campaigns/<id>/wallboard, then static/wallboard.js keeps it current without a reload:
it listens to the live events (/api/v1/events, server-sent events for this campaign) and, on
each, fetches the wallboard answer again (coalesced, at most one fetch in flight), plus every
REFRESH_S seconds for what no event announces (calls starting to ring, the scheduler's dial
level, worker lines, the 15-minute window sliding). Fetching the one answer rather than pushing
figures down the event stream keeps the stream free of database work (its generator runs after
the request, with no connection) and keeps a single definition of every figure.
"""

from __future__ import annotations

import json

from flask import Blueprint, render_template, url_for
from flask.typing import ResponseReturnValue

from campaigns.calling_window import BlockReason
from campaigns.campaign import CampaignState
from campaigns.storage import campaign_store
from campaigns.users import Role
from dashboard.access import managers
from dashboard.db import get_db
from dashboard.json import plain
from dashboard.live_agents import now, redis_client
from dashboard.navigation import NavItem
from dashboard.routes.api.wallboard import contact_counter
from dashboard.routes.reports import script_safe_json
from dashboard.wallboard_schemas import wallboard_json
from dialer.wallboard import read_wallboard

blueprint = Blueprint("wallboard", __name__, url_prefix="/wallboard")
NAV = [NavItem("Wallboard", "wallboard.index", frozenset({Role.ADMIN, Role.SUPERVISOR}), 45)]

# Seconds between refreshes when no live event arrives.
REFRESH_S = 5

BLOCK_LABELS = {
    BlockReason.IN_FLIGHT: "Being called now",
    BlockReason.WAITING_RETRY: "Waiting for their retry time",
    BlockReason.CALLBACK_SCHEDULED: "Callback scheduled later",
    BlockReason.OUTSIDE_HOURS: "Outside calling hours (local time)",
    BlockReason.ABANDON_COOLDOWN: "Abandoned recently (no repeat yet)",
    BlockReason.DNC: "On a do-not-call list",
    BlockReason.EXHAUSTED: "Attempts used up",
    BlockReason.DONE: "Done",
}
_STATE_ORDER = {CampaignState.RUNNING: 0, CampaignState.PAUSED: 1}


@blueprint.get("")
@managers
def index() -> ResponseReturnValue:
    campaigns = sorted(
        campaign_store.list_campaigns(get_db()),
        key=lambda c: (_STATE_ORDER.get(c.state, 2), c.name.lower()),
    )
    return render_template("wallboard/index.html", campaigns=campaigns)


@blueprint.get("/<int:campaign_id>")
@managers
def board(campaign_id: int) -> ResponseReturnValue:
    conn = get_db()
    campaign = campaign_store.get_campaign(conn, campaign_id)  # NotFound answers 404
    data = wallboard_json(read_wallboard(conn, redis_client(), contact_counter(), campaign, now()))
    return render_template(
        "wallboard/board.html",
        board=data,
        board_json=script_safe_json(_json(data)),
        campaigns=campaign_store.list_campaigns(conn),
        block_labels={reason.value: label for reason, label in BLOCK_LABELS.items()},
        data_url=url_for("api_wallboard.campaign_wallboard", campaign_id=campaign_id),
        events_url=url_for("api_events.events", campaign_id=campaign_id),
        refresh_ms=REFRESH_S * 1000,
    )


def _json(data: object) -> str:
    return json.dumps(data, default=plain, separators=(",", ":"))
