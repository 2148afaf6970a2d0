"""/api/v1/agents, /api/v1/agent-states, /api/v1/pause-codes and /api/v1/me."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, jsonify, request
from flask.typing import ResponseReturnValue

from campaigns import passwords
from campaigns.agents import AgentSpec, ForwardMode, validate_agent
from campaigns.errors import ValidationError
from campaigns.storage import agent_store, pause_code_store, user_store
from campaigns.users import Role, validate_password, validate_username
from dashboard.access import admins, login_required, managers
from dashboard.api_schemas import agent_json, json_object, user_json
from dashboard.auth import current_user
from dashboard.db import get_db
from dashboard.openapi import Param, documented
from dashboard.params import optional_int

blueprint = Blueprint("api_agents", __name__, url_prefix="/api/v1")

_SETTINGS = frozenset(
    {
        "display_name",
        "disabled",
        "sip_uri",
        "forward_mode",
        "forward_to",
        "call_waiting",
        "campaign_ids",
    }
)


def _spec(body: dict[str, Any], base: AgentSpec | None) -> AgentSpec:
    unknown = sorted(set(body) - _SETTINGS - {"username", "password", "id", "user_id"})
    if unknown:
        raise ValidationError([f"{key}: not an agent setting" for key in unknown])
    ids = body.get("campaign_ids", list(base.campaign_ids) if base else [])
    if not isinstance(ids, list) or not all(
        isinstance(i, int) and not isinstance(i, bool) for i in ids
    ):
        raise ValidationError(["campaign_ids: a list of campaign ids"])
    try:
        mode = ForwardMode(body.get("forward_mode", base.forward_mode if base else "off"))
    except ValueError:
        raise ValidationError(["forward_mode: one of " + ", ".join(ForwardMode)]) from None
    call_waiting = body.get("call_waiting", base.call_waiting if base else False)
    if not isinstance(call_waiting, bool):
        raise ValidationError(["call_waiting: true or false"])
    return validate_agent(
        AgentSpec(
            sip_uri=str(body.get("sip_uri", base.sip_uri if base else "")),
            forward_mode=mode,
            forward_to=body.get("forward_to", base.forward_to if base else None),
            campaign_ids=tuple(ids),
            call_waiting=call_waiting,
        )
    )


@blueprint.get("/agents")
@managers
@documented(
    "List agents",
    query=[Param("campaign_id", "Only agents who work this campaign.", {"type": "integer"})],
    response="AgentList",
)
def list_agents() -> ResponseReturnValue:
    found = agent_store.list_agents(get_db(), optional_int(request.args, "campaign_id"))
    return jsonify([agent_json(a) for a in found])


@blueprint.post("/agents")
@admins
@documented(
    "Create an agent (login and softphone)", body="AgentInput", response="Agent", status=201
)
def create_agent() -> ResponseReturnValue:
    body = json_object()
    username = validate_username(str(body.get("username", "")))
    password = validate_password(str(body.get("password", "")))
    agent = agent_store.insert_agent(
        get_db(),
        username,
        str(body.get("display_name", "")),
        passwords.hash_password(password),
        _spec(body, None),
    )
    return jsonify(agent_json(agent)), 201


@blueprint.get("/agents/<int:agent_id>")
@managers
@documented("One agent", response="Agent")
def get_agent(agent_id: int) -> ResponseReturnValue:
    return jsonify(agent_json(agent_store.get_agent(get_db(), agent_id)))


@blueprint.patch("/agents/<int:agent_id>")
@admins
@documented(
    "Change an agent (only the settings given)", body="AgentInput", response="Agent",
    description="A password here sets a new one and ends the agent's sessions.",
)  # fmt: skip
def update_agent(agent_id: int) -> ResponseReturnValue:
    conn = get_db()
    current = agent_store.get_agent(conn, agent_id)
    body = json_object()
    spec = _spec(body, current.spec)
    disabled = body.get("disabled", current.disabled)
    if not isinstance(disabled, bool):
        raise ValidationError(["disabled: true or false"])
    password = body.get("password")
    new_hash = passwords.hash_password(validate_password(str(password))) if password else None
    display_name = str(body.get("display_name", current.display_name))
    updated = agent_store.update_agent(conn, agent_id, display_name, disabled, spec)
    if new_hash:
        user_store.set_password(conn, current.user_id, new_hash)
    return jsonify(agent_json(updated))


@blueprint.get("/agent-states")
@login_required
@documented(
    "Agents' latest recorded state",
    query=[Param("agent_id", "One agent.", {"type": "integer"})],
    response="AgentStatusList",
    description="From agent_state_history; agents see only their own.",
)
def agent_states() -> ResponseReturnValue:
    conn = get_db()
    user = current_user()
    assert user is not None
    agent_id = optional_int(request.args, "agent_id")
    if user.role is Role.AGENT:
        own = agent_store.agent_for_user(conn, user.id)
        if own is None:
            abort(403, "this login has no agent profile")
        agent_id = own.id
    return jsonify(agent_store.agent_states(conn, agent_id))


@blueprint.get("/pause-codes")
@login_required
@documented("Pause codes", response="PauseCodeList")
def pause_codes() -> ResponseReturnValue:
    return jsonify(pause_code_store.list_pause_codes(get_db()))


@blueprint.get("/me")
@login_required
@documented("The signed-in user (or the token's user)", response="User")
def me() -> ResponseReturnValue:
    user = current_user()
    assert user is not None
    return jsonify(user_json(user))
