"""/attempts: the outbound calls, for supervisors and admins: find a call (campaign, days,
outcome, disposition, agent, number, recorded or not), open it, play its recording.

Agents see their calls on the console; recordings are not theirs to replay (403 here).
"""

from __future__ import annotations

from flask import Blueprint, abort, render_template, request
from flask.typing import ResponseReturnValue

from campaigns.attempt import Outcome
from campaigns.storage import agent_store, attempt_query, campaign_store, recording_store
from campaigns.storage.attempt_query import AttemptFilter, AttemptView
from campaigns.storage.paging import Page
from campaigns.users import Role
from dashboard.access import managers
from dashboard.call_search import CallSearch, call_list_page, in_zone
from dashboard.db import get_db
from dashboard.navigation import NavItem
from dashboard.params import optional_choice, optional_phone_prefix, page_request

blueprint = Blueprint("attempts", __name__, url_prefix="/attempts")
NAV = [
    NavItem(
        "Calls", "attempts.index", frozenset({Role.ADMIN, Role.SUPERVISOR}), 20, ("inbound_calls",)
    )
]


@blueprint.get("")
@managers
def index() -> ResponseReturnValue:
    """Newest first, 50 a page."""

    def find(search: CallSearch) -> Page[AttemptView]:
        args = request.args
        filters = AttemptFilter(
            campaign_id=search.campaign_id,
            agent_id=search.agent_id,
            outcome=optional_choice(args, "outcome", list(Outcome)),
            disposition=search.disposition,
            since=search.since,
            until=search.until,
            number_prefix=optional_phone_prefix(args, "number"),
            recorded=search.recorded,
        )
        return attempt_query.list_attempts(get_db(), filters, page_request(args, "-queued_at"))

    return call_list_page("attempts/index.html", [o.value for o in Outcome], find)


@blueprint.get("/<int:attempt_id>")
@managers
def show(attempt_id: int) -> ResponseReturnValue:
    db = get_db()
    attempt = attempt_query.get_attempt(db, attempt_id)
    if attempt is None:
        abort(404, f"no call attempt with id {attempt_id}")
    agent = agent_store.get_agent(db, attempt.agent_id) if attempt.agent_id else None
    campaign = campaign_store.get_campaign(db, attempt.campaign_id)
    return render_template(
        "attempts/show.html",
        attempt=attempt,
        agent=agent,
        campaign=campaign,
        local=in_zone(campaign.spec.timezone),
        recording=recording_store.recording_of(db, attempt_id),
    )
