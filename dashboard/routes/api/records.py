"""/api/v1/contacts and /api/v1/attempts: paged reads with allow-listed filters and sorts.

Agents read attempts too, but only their own: the filter's agent_id is forced to theirs, and one
attempt of someone else answers 404 (not 403, which would confirm that it exists).
"""

from __future__ import annotations

from flask import Blueprint, abort, jsonify, request
from flask.typing import ResponseReturnValue

from campaigns.attempt import AttemptState, Outcome
from campaigns.dispositions import MAX_CODE_LENGTH
from campaigns.storage import agent_store, attempt_query, contact_query
from campaigns.storage.attempt_query import AttemptFilter
from campaigns.storage.contact_query import CONTACT_STATES, ContactFilter
from campaigns.users import Role
from dashboard.access import login_required, managers
from dashboard.auth import current_user
from dashboard.db import get_db
from dashboard.openapi import PAGING, Param, documented, sort_param
from dashboard.params import (
    optional_bool,
    optional_choice,
    optional_int,
    optional_phone_prefix,
    optional_text,
    optional_time,
    page_request,
)

blueprint = Blueprint("api_records", __name__, url_prefix="/api/v1")

_INT = {"type": "integer"}


@blueprint.get("/contacts")
@managers
@documented(
    "Contacts, paged and filtered",
    query=[
        Param("campaign_id", "Contacts of this campaign.", _INT),
        Param("list_id", "Contacts of this list.", _INT),
        Param("state", "Contact state.", {"enum": list(CONTACT_STATES)}),
        Param("phone", "Numbers starting with these digits."),
        Param("last_outcome", "Outcome of the last attempt.", {"enum": list(Outcome)}),
        *PAGING,
        sort_param(list(contact_query.SORTABLE)),
    ],
    response="ContactPage",
)
def list_contacts() -> ResponseReturnValue:
    args = request.args
    filters = ContactFilter(
        campaign_id=optional_int(args, "campaign_id"),
        list_id=optional_int(args, "list_id"),
        state=optional_choice(args, "state", CONTACT_STATES),
        phone_prefix=optional_phone_prefix(args, "phone"),
        last_outcome=optional_choice(args, "last_outcome", list(Outcome)),
    )
    page = contact_query.list_contacts(get_db(), filters, page_request(args))
    return jsonify(items=page.items, next_offset=page.next_offset)


def _own_agent_id() -> int | None:
    """None for managers (no restriction); the agent's id for agents."""
    user = current_user()
    assert user is not None
    if user.role is not Role.AGENT:
        return None
    agent = agent_store.agent_for_user(get_db(), user.id)
    if agent is None:
        abort(403, "this login has no agent profile")
    return agent.id


@blueprint.get("/attempts")
@login_required
@documented(
    "Call attempts, paged and filtered",
    query=[
        Param("campaign_id", "Attempts of this campaign.", _INT),
        Param("agent_id", "Attempts this agent took (agents: always their own).", _INT),
        Param("contact_id", "Attempts to this contact.", _INT),
        Param("state", "Attempt state.", {"enum": list(AttemptState)}),
        Param("outcome", "Attempt outcome.", {"enum": list(Outcome)}),
        Param("disposition", "Disposition code."),
        Param("since", "Queued at or after (ISO 8601).", {"type": "string", "format": "date-time"}),
        Param("until", "Queued before (ISO 8601).", {"type": "string", "format": "date-time"}),
        Param("number", "Called numbers starting with these digits."),
        Param("recorded", "With a kept recording (true) or without (false).", {"type": "boolean"}),
        *PAGING,
        sort_param(list(attempt_query.SORTABLE)),
    ],
    response="AttemptPage",
)
def list_attempts() -> ResponseReturnValue:
    args = request.args
    own = _own_agent_id()
    filters = AttemptFilter(
        campaign_id=optional_int(args, "campaign_id"),
        agent_id=own if own is not None else optional_int(args, "agent_id"),
        contact_id=optional_int(args, "contact_id"),
        state=optional_choice(args, "state", list(AttemptState)),
        outcome=optional_choice(args, "outcome", list(Outcome)),
        disposition=optional_text(args, "disposition", MAX_CODE_LENGTH),
        since=optional_time(args, "since"),
        until=optional_time(args, "until"),
        number_prefix=optional_phone_prefix(args, "number"),
        recorded=optional_bool(args, "recorded"),
    )
    page = attempt_query.list_attempts(get_db(), filters, page_request(args, "-queued_at"))
    return jsonify(items=page.items, next_offset=page.next_offset)


@blueprint.get("/attempts/<int:attempt_id>")
@login_required
@documented("One call attempt (agents: only their own)", response="Attempt")
def get_attempt(attempt_id: int) -> ResponseReturnValue:
    own = _own_agent_id()
    attempt = attempt_query.get_attempt(get_db(), attempt_id)
    if attempt is None or (own is not None and attempt.agent_id != own):
        abort(404, f"no call attempt with id {attempt_id}")
    return jsonify(attempt)
