"""Campaign pages: list, create, edit every setting, start, pause, stop."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue

from campaigns.amd_thresholds import thresholds_as_json
from campaigns.campaign import CampaignSpec, CampaignState, DialMode, RecordingMode, validate_spec
from campaigns.campaign_changes import apply_changes, check_transition, new_spec
from campaigns.errors import Conflict, NotFound, ValidationError
from campaigns.rules import RULE_SETS, RuleSetName
from campaigns.storage import campaign_store, disposition_store, trunk_store
from campaigns.users import Role
from dashboard.access import managers
from dashboard.campaign_form import (
    DAYS,
    WEEKDAY_NAMES,
    form_to_data,
    form_values,
    spec_to_form,
    threshold_fields,
)
from dashboard.db import get_db
from dashboard.list_penetration import campaign_penetration
from dashboard.navigation import NavItem

blueprint = Blueprint("campaigns", __name__, url_prefix="/campaigns")
NAV = [NavItem("Campaigns", "campaigns.index", frozenset({Role.ADMIN, Role.SUPERVISOR}), 10)]

_ACTIONS = {
    "start": CampaignState.RUNNING,
    "pause": CampaignState.PAUSED,
    "stop": CampaignState.STOPPED,
}


def _render_form(values: dict[str, object], problems: list[str], campaign_id: int | None) -> str:
    from campaigns.attempt import RetryableOutcome

    return render_template(
        "campaigns/form.html",
        values=values,
        problems=problems,
        campaign_id=campaign_id,
        trunks=trunk_store.list_trunks(get_db()),
        dial_modes=[m.value for m in DialMode],
        rule_sets={r.value: RULE_SETS[r] for r in RuleSetName},
        recordings=[r.value for r in RecordingMode],
        outcomes=[o.value for o in RetryableOutcome],
        days=DAYS,
        weekday_names=WEEKDAY_NAMES,
        thresholds=threshold_fields(),
    )


@blueprint.get("")
@managers
def index() -> ResponseReturnValue:
    state = request.args.get("state")
    chosen = CampaignState(state) if state in set(CampaignState) else None
    found = campaign_store.list_campaigns(get_db(), chosen)
    return render_template("campaigns/list.html", campaigns=found, state=chosen)


@blueprint.get("/new")
@managers
def new() -> ResponseReturnValue:
    defaults = CampaignSpec(name="", caller_id="")
    values = spec_to_form(defaults)
    values.update(name="", caller_id="")
    return _render_form(values, [], None)


@blueprint.post("")
@managers
def create() -> ResponseReturnValue:
    days = request.form.getlist("schedule_days")
    try:
        spec = validate_spec(new_spec(form_to_data(request.form, days)))
        created = campaign_store.insert_campaign(get_db(), spec)
    except ValidationError as error:
        return _render_form(form_values(request.form, days), error.problems, None), 400
    except (Conflict, NotFound) as error:
        return _render_form(form_values(request.form, days), [str(error)], None), 409
    flash(f"Campaign {created.name} created (stopped).")
    return redirect(url_for("campaigns.show", campaign_id=created.id))


@blueprint.get("/<int:campaign_id>")
@managers
def show(campaign_id: int) -> ResponseReturnValue:
    conn = get_db()
    campaign = campaign_store.get_campaign(conn, campaign_id)
    return render_template(
        "campaigns/show.html",
        campaign=campaign,
        rules=campaign.spec.rules,
        dispositions=disposition_store.list_dispositions(conn, campaign_id),
        weekday_names=WEEKDAY_NAMES,
        penetration=campaign_penetration(conn, campaign_id),
        amd_thresholds_changed=thresholds_as_json(campaign.spec.amd_thresholds, changed_only=True),
    )


@blueprint.get("/<int:campaign_id>/edit")
@managers
def edit(campaign_id: int) -> ResponseReturnValue:
    campaign = campaign_store.get_campaign(get_db(), campaign_id)
    return _render_form(spec_to_form(campaign.spec, campaign), [], campaign_id)


@blueprint.post("/<int:campaign_id>/edit")
@managers
def update(campaign_id: int) -> ResponseReturnValue:
    conn = get_db()
    current = campaign_store.get_campaign(conn, campaign_id)
    days = request.form.getlist("schedule_days")
    try:
        spec = validate_spec(apply_changes(current.spec, form_to_data(request.form, days)))
        updated = campaign_store.update_campaign(conn, campaign_id, spec)
    except ValidationError as error:
        return _render_form(form_values(request.form, days), error.problems, campaign_id), 400
    except (Conflict, NotFound) as error:
        return _render_form(form_values(request.form, days), [str(error)], campaign_id), 409
    flash(f"Campaign {updated.name} saved.")
    return redirect(url_for("campaigns.show", campaign_id=campaign_id))


@blueprint.post("/<int:campaign_id>/state")
@managers
def change_state(campaign_id: int) -> ResponseReturnValue:
    conn = get_db()
    campaign = campaign_store.get_campaign(conn, campaign_id)
    action = request.form.get("action", "")
    if action not in _ACTIONS:
        raise ValidationError([f"action: one of {', '.join(_ACTIONS)}"])
    try:
        check_transition(campaign, _ACTIONS[action])
    except ValidationError as error:
        for problem in error.problems:
            flash(problem, "error")
        return redirect(url_for("campaigns.show", campaign_id=campaign_id))
    updated = campaign_store.set_campaign_state(conn, campaign_id, _ACTIONS[action])
    flash(f"Campaign {updated.name} is now {updated.state.value}.")
    return redirect(url_for("campaigns.show", campaign_id=campaign_id))
