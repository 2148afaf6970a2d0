"""/inbound-calls: the inbound calls, for supervisors and admins: find one (campaign of its queue,
queue, days, outcome, disposition, agent, caller, recorded or not), open it, play its recording.
The outbound list is /attempts; both share the filter (dashboard.call_search)."""

from __future__ import annotations

from flask import Blueprint, abort, render_template, request
from flask.typing import ResponseReturnValue

from campaigns.storage import (
    agent_store,
    campaign_store,
    inbound_call_query,
    inbound_store,
    recording_store,
)
from campaigns.storage.inbound_call_query import InboundCallFilter, InboundCallView
from campaigns.storage.inbound_store import InboundOutcome
from campaigns.storage.paging import Page
from dashboard.access import managers
from dashboard.call_search import CallSearch, call_list_page, in_zone
from dashboard.db import get_db
from dashboard.params import optional_choice, optional_int, optional_phone_prefix, page_request

blueprint = Blueprint("inbound_calls", __name__, url_prefix="/inbound-calls")


@blueprint.get("")
@managers
def index() -> ResponseReturnValue:
    """Newest first, 50 a page."""

    def find(search: CallSearch) -> Page[InboundCallView]:
        args = request.args
        filters = InboundCallFilter(
            campaign_id=search.campaign_id,
            queue_id=optional_int(args, "queue_id"),
            agent_id=search.agent_id,
            outcome=optional_choice(args, "outcome", list(InboundOutcome)),
            disposition=search.disposition,
            since=search.since,
            until=search.until,
            caller_prefix=optional_phone_prefix(args, "caller"),
            recorded=search.recorded,
        )
        page = page_request(args, "-offered_at")
        return inbound_call_query.list_inbound_calls(get_db(), filters, page)

    queues = [(q.queue_id, q.queue_name) for q in inbound_store.all_routes(get_db())]
    outcomes = [o.value for o in InboundOutcome]
    return call_list_page("inbound_calls/index.html", outcomes, find, queues=queues)


@blueprint.get("/<int:call_id>")
@managers
def show(call_id: int) -> ResponseReturnValue:
    db = get_db()
    call = inbound_call_query.get_inbound_call(db, call_id)
    if call is None:
        abort(404, f"no inbound call with id {call_id}")
    agent = agent_store.get_agent(db, call.agent_id) if call.agent_id else None
    campaign = campaign_store.get_campaign(db, call.campaign_id) if call.campaign_id else None
    return render_template(
        "inbound_calls/show.html",
        call=call,
        agent=agent,
        campaign=campaign,
        local=in_zone(campaign.spec.timezone if campaign else "UTC"),
        recording=recording_store.inbound_recording_of(db, call_id),
    )
