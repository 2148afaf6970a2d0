"""The agent's console: who they are, their last recorded state and their own calls.

The live console (ready/pause buttons, screen pop, disposition after a call) arrives with the
agents issue; this page is its home and already shows only the signed-in agent's own calls.
"""

from __future__ import annotations

from flask import Blueprint, abort, render_template, request
from flask.typing import ResponseReturnValue

from campaigns.agents import Agent
from campaigns.storage import agent_store, attempt_query, campaign_store, pause_code_store
from campaigns.storage.attempt_query import AttemptFilter
from campaigns.users import Role
from dashboard.access import agents
from dashboard.auth import current_user
from dashboard.db import get_db
from dashboard.navigation import NavItem
from dashboard.params import page_request

blueprint = Blueprint("console", __name__, url_prefix="/console")
NAV = [NavItem("My console", "console.index", frozenset({Role.AGENT}), 5)]


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
    states = agent_store.agent_states(conn, agent.id)
    names = {c.id: c.name for c in campaign_store.list_campaigns(conn)}
    return render_template(
        "console/index.html",
        agent=agent,
        status=states[0] if states else None,
        calls=calls,
        names=names,
        pause_codes=pause_code_store.list_pause_codes(conn),
        args=request.args.to_dict(),
    )
