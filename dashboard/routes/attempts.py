"""/attempts: the calls, for supervisors and admins: find a call (campaign, dates, outcome,
disposition, agent, number, recorded or not), open it, play its recording.

Agents see their calls on the console; recordings are not theirs to replay (403 here).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from flask import Blueprint, abort, render_template, request
from flask.typing import ResponseReturnValue

from campaigns.attempt import Outcome
from campaigns.errors import ValidationError
from campaigns.report_filter import parse_report_filter
from campaigns.storage import agent_store, attempt_query, campaign_store, recording_store
from campaigns.storage.attempt_query import AttemptFilter
from campaigns.users import Role
from dashboard.access import managers
from dashboard.db import get_db
from dashboard.navigation import NavItem
from dashboard.params import (
    optional_bool,
    optional_choice,
    optional_int,
    optional_phone_prefix,
    page_request,
)

blueprint = Blueprint("attempts", __name__, url_prefix="/attempts")
NAV = [NavItem("Calls", "attempts.index", frozenset({Role.ADMIN, Role.SUPERVISOR}), 20)]


@blueprint.get("")
@managers
def index() -> ResponseReturnValue:
    """Newest first, 50 a page. Dates are days in `tz`: the chosen campaign's zone unless the
    filter names another (UTC without a campaign), and the times are shown in it."""
    db = get_db()
    args = request.args
    campaigns = campaign_store.list_campaigns(db)
    agents = {a.id: a.display_name for a in agent_store.list_agents(db)}
    page, problems, zone = None, [], "UTC"
    try:
        campaign_id = optional_int(args, "campaign_id")
        chosen = next((c for c in campaigns if c.id == campaign_id), None)
        if campaign_id is not None and chosen is None:
            raise ValidationError([f"campaign_id: no campaign {campaign_id}"])
        zone = chosen.spec.timezone if chosen else "UTC"
        days = parse_report_filter(args, [], datetime.now(UTC).date(), zone)
        zone = days.tz
        disposition = args.get("disposition", "").strip()[:32] or None
        filters = AttemptFilter(
            campaign_id=campaign_id,
            agent_id=optional_int(args, "agent_id"),
            outcome=optional_choice(args, "outcome", list(Outcome)),
            disposition=disposition,
            since=days.start(),
            until=days.end(),
            number_prefix=optional_phone_prefix(args, "number"),
            recorded=optional_bool(args, "recorded"),
        )
        page = attempt_query.list_attempts(db, filters, page_request(args, "-queued_at"))
        first_day, last_day = days.first_day, days.last_day
    except ValidationError as error:
        problems = error.problems
        first_day = last_day = None
    status = 400 if problems else 200
    return render_template(
        "attempts/index.html",
        page=page,
        problems=problems,
        campaigns=campaigns,
        names={c.id: c.name for c in campaigns},
        agents=agents,
        outcomes=list(Outcome),
        zone=zone,
        local=_in_zone(zone),
        first_day=first_day,
        last_day=last_day,
        args=args.to_dict(),
    ), status


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
        local=_in_zone(campaign.spec.timezone),
        recording=recording_store.recording_of(db, attempt_id),
    )


def _in_zone(zone: str) -> Callable[[datetime | None], str]:
    """Times as the page shows them: local to `zone`, to the second; a missing one as a dash."""
    tz = ZoneInfo(zone)

    def local(moment: datetime | None) -> str:
        return moment.astimezone(tz).strftime("%Y-%m-%d %H:%M:%S") if moment else "—"

    return local
