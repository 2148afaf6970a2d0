"""Agent pages: agents with their softphone and campaigns (admins edit, supervisors read), and
the pause codes agents choose from."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue

from campaigns import passwords
from campaigns.agents import AgentSpec, ForwardMode, PauseCode, validate_agent, validate_pause_code
from campaigns.errors import Conflict, ValidationError
from campaigns.storage import agent_store, campaign_store, pause_code_store, user_store
from campaigns.users import Role, validate_password, validate_username
from dashboard.access import admins, managers
from dashboard.db import get_db
from dashboard.navigation import NavItem

blueprint = Blueprint("agents", __name__, url_prefix="/agents")
NAV = [NavItem("Agents", "agents.index", frozenset({Role.ADMIN, Role.SUPERVISOR}), 40)]


def _spec(form: dict[str, str], campaign_ids: list[str]) -> AgentSpec:
    try:
        mode = ForwardMode(form.get("forward_mode") or "off")
        ids = tuple(int(value) for value in campaign_ids)
    except ValueError:
        raise ValidationError(["forward_mode or campaigns: unknown value"]) from None
    return validate_agent(
        AgentSpec(
            sip_uri=form.get("sip_uri", "").strip(),
            forward_mode=mode,
            forward_to=form.get("forward_to", "").strip() or None,
            campaign_ids=ids,
            call_waiting="call_waiting" in form,
        )
    )


def _form(values: dict[str, object], problems: list[str], agent_id: int | None) -> str:
    return render_template(
        "agents/form.html",
        values=values,
        problems=problems,
        agent_id=agent_id,
        campaigns=campaign_store.list_campaigns(get_db()),
        forward_modes=[m.value for m in ForwardMode],
    )


@blueprint.get("")
@managers
def index() -> ResponseReturnValue:
    conn = get_db()
    states = {status.agent_id: status for status in agent_store.agent_states(conn)}
    names = {c.id: c.name for c in campaign_store.list_campaigns(conn)}
    return render_template(
        "agents/list.html", agents=agent_store.list_agents(conn), states=states, names=names
    )


@blueprint.get("/new")
@admins
def new() -> ResponseReturnValue:
    return _form({"forward_mode": "off", "campaign_ids": []}, [], None)


@blueprint.post("")
@admins
def create() -> ResponseReturnValue:
    form = request.form.to_dict()
    chosen = request.form.getlist("campaign_ids")
    values: dict[str, object] = {**form, "campaign_ids": chosen}
    try:
        username = validate_username(form.get("username", "").strip())
        password = validate_password(form.get("password", ""))
        spec = _spec(form, chosen)
        agent = agent_store.insert_agent(
            get_db(),
            username,
            form.get("display_name", "").strip(),
            passwords.hash_password(password),
            spec,
        )
    except ValidationError as error:
        return _form(values, error.problems, None), 400
    except Conflict as error:
        return _form(values, [str(error)], None), 409
    flash(f"Agent {agent.username} created.")
    return redirect(url_for("agents.index"))


@blueprint.get("/<int:agent_id>/edit")
@admins
def edit(agent_id: int) -> ResponseReturnValue:
    agent = agent_store.get_agent(get_db(), agent_id)
    values: dict[str, object] = {
        "username": agent.username,
        "display_name": agent.display_name,
        "disabled": agent.disabled,
        "sip_uri": agent.spec.sip_uri,
        "forward_mode": agent.spec.forward_mode.value,
        "forward_to": agent.spec.forward_to or "",
        "call_waiting": agent.spec.call_waiting,
        "campaign_ids": [str(i) for i in agent.spec.campaign_ids],
    }
    return _form(values, [], agent_id)


@blueprint.post("/<int:agent_id>/edit")
@admins
def update(agent_id: int) -> ResponseReturnValue:
    conn = get_db()
    agent = agent_store.get_agent(conn, agent_id)
    form = request.form.to_dict()
    chosen = request.form.getlist("campaign_ids")
    values: dict[str, object] = {**form, "campaign_ids": chosen, "username": agent.username}
    try:
        spec = _spec(form, chosen)
        password = form.get("password", "")
        new_hash = passwords.hash_password(validate_password(password)) if password else None
        agent_store.update_agent(
            conn, agent_id, form.get("display_name", "").strip(), "disabled" in form, spec
        )
        if new_hash:
            user_store.set_password(conn, agent.user_id, new_hash)
    except ValidationError as error:
        return _form(values, error.problems, agent_id), 400
    flash(f"Agent {agent.username} saved.")
    return redirect(url_for("agents.index"))


@blueprint.get("/pause-codes")
@managers
def pause_codes() -> ResponseReturnValue:
    codes = pause_code_store.list_pause_codes(get_db())
    return render_template("agents/pause_codes.html", codes=codes)


@blueprint.post("/pause-codes")
@admins
def add_pause_code() -> ResponseReturnValue:
    try:
        code = validate_pause_code(
            PauseCode(request.form.get("code", "").strip(), request.form.get("label", ""))
        )
        pause_code_store.insert_pause_code(get_db(), code)
    except ValidationError as error:
        for problem in error.problems:
            flash(problem, "error")
    except Conflict as error:
        flash(str(error), "error")
    else:
        flash(f"Pause code {code.code} added.")
    return redirect(url_for("agents.pause_codes"))


@blueprint.post("/pause-codes/<code>/delete")
@admins
def delete_pause_code(code: str) -> ResponseReturnValue:
    pause_code_store.delete_pause_code(get_db(), code)
    flash(f"Pause code {code} removed.")
    return redirect(url_for("agents.pause_codes"))
