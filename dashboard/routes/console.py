"""The agent's console: log in to campaigns, ready / pause with a reason, the live state with its
timer, the screen pop of the call held, hang up, the disposition form with callbacks.

The page is rendered with the agent's live state as it is now, so it reads right before any
script runs; static/console.js then keeps it live from the server-sent events (/api/v1/events)
and acts through the agent JSON API (/api/v1/agent/..., /api/v1/attempts/...). No route of its
own beyond this page: the API is the one the robots and other clients use.
"""

from __future__ import annotations

from flask import Blueprint, abort, render_template, request
from flask.typing import ResponseReturnValue

from campaigns.agent_history import SystemPause
from campaigns.agents import Agent, AgentState
from campaigns.storage import agent_store, attempt_query, campaign_store, pause_code_store
from campaigns.storage.attempt_query import AttemptFilter
from campaigns.users import Role
from dashboard.access import agents
from dashboard.auth import current_user
from dashboard.db import get_db
from dashboard.live_agents import agent_service, now
from dashboard.navigation import NavItem
from dashboard.params import page_request

blueprint = Blueprint("console", __name__, url_prefix="/console")
NAV = [NavItem("My console", "console.index", frozenset({Role.AGENT}), 5)]

# Labels for the pauses the dialer sets itself, when pause_codes has no row for them.
_SYSTEM_LABELS = {
    SystemPause.LOGIN.value: "Just logged in",
    SystemPause.PHONE_NOT_ANSWERING.value: "Phone not answering",
    SystemPause.SYSTEM_RESTART.value: "System restart",
    SystemPause.PREVIEW_EXPIRED.value: "Preview expired (not dialed in time)",
}
_SYSTEM_CODES = frozenset(_SYSTEM_LABELS)


def own_agent() -> Agent:
    """The signed-in user's agent row; an agent login without one has nothing to see."""
    user = current_user()
    agent = agent_store.agent_for_user(get_db(), user.id) if user else None
    if agent is None:
        abort(403, "this login has no agent profile; ask an admin to add your softphone")
    return agent


@blueprint.get("")
@agents
def index() -> ResponseReturnValue:
    conn = get_db()
    agent = own_agent()
    calls = attempt_query.list_attempts(
        conn, AttemptFilter(agent_id=agent.id), page_request(request.args, "-queued_at")
    )
    names = {c.id: c.name for c in campaign_store.list_campaigns(conn)}
    codes = pause_code_store.list_pause_codes(conn)
    moment = now()
    live = agent_service().status(agent.id)
    logged_in = live.state is not AgentState.LOGGED_OUT
    return render_template(
        "console/index.html",
        agent=agent,
        live=live,
        logged_in=logged_in,
        seconds_in_state=int(max(0.0, (moment - live.since).total_seconds())) if logged_in else 0,
        server_time=moment,
        calls=calls,
        names=names,
        # Agents choose among the supervisor's codes; the dialer's own only label its pauses.
        pause_codes=[p for p in codes if p.code not in _SYSTEM_CODES],
        pause_labels={**_SYSTEM_LABELS, **{p.code: p.label for p in codes}},
        args=request.args.to_dict(),
    )
