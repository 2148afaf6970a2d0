"""What the two call lists (outbound `/attempts`, inbound `/inbound-calls`) share: the campaign
chosen, the days in a time zone (the campaign's unless the filter names one, UTC without a
campaign) and times shown in that zone."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from flask import render_template, request
from flask.typing import ResponseReturnValue

from campaigns.campaign import Campaign
from campaigns.dispositions import MAX_CODE_LENGTH
from campaigns.errors import ValidationError
from campaigns.report_filter import parse_report_filter
from campaigns.storage import agent_store, campaign_store
from campaigns.storage.paging import Page
from dashboard.db import get_db
from dashboard.params import optional_bool, optional_int, optional_text


@dataclass(frozen=True)
class CallSearch:
    campaign_id: int | None
    zone: str
    first_day: date
    last_day: date
    since: datetime
    until: datetime
    disposition: str | None
    agent_id: int | None
    recorded: bool | None


def parse_call_search(args: Mapping[str, str], campaigns: Sequence[Campaign]) -> CallSearch:
    """The shared filters, or ValidationError naming each bad one."""
    campaign_id = optional_int(args, "campaign_id")
    chosen = next((c for c in campaigns if c.id == campaign_id), None)
    if campaign_id is not None and chosen is None:
        raise ValidationError([f"campaign_id: no campaign {campaign_id}"])
    default_zone = chosen.spec.timezone if chosen else "UTC"
    days = parse_report_filter(args, [], datetime.now(UTC).date(), default_zone)
    return CallSearch(
        campaign_id=campaign_id,
        zone=days.tz,
        first_day=days.first_day,
        last_day=days.last_day,
        since=days.start(),
        until=days.end(),
        disposition=optional_text(args, "disposition", MAX_CODE_LENGTH),
        agent_id=optional_int(args, "agent_id"),
        recorded=optional_bool(args, "recorded"),
    )


def in_zone(zone: str) -> Callable[[datetime | None], str]:
    """Times as the pages show them: local to `zone`, to the second; a missing one as a dash."""
    tz = ZoneInfo(zone)

    def local(moment: datetime | None) -> str:
        return moment.astimezone(tz).strftime("%Y-%m-%d %H:%M:%S") if moment else "—"

    return local


def call_list_page(
    template: str,
    outcomes: Sequence[str],
    find: Callable[[CallSearch], Page[Any]],
    **extra: object,
) -> ResponseReturnValue:
    """A call list: the shared filters parsed, `find` given them for the page of calls (it reads
    the list's own filters from the request), and the template rendered with `extra` too; 400
    with every problem named when a filter is wrong."""
    db = get_db()
    campaigns = campaign_store.list_campaigns(db)
    page, problems, search = None, [], None
    try:
        search = parse_call_search(request.args, campaigns)
        page = find(search)
    except ValidationError as error:
        problems = error.problems
    zone = search.zone if search else "UTC"
    return render_template(
        template,
        page=page,
        problems=problems,
        search=search,
        campaigns=campaigns,
        names={c.id: c.name for c in campaigns},
        agents={a.id: a.display_name for a in agent_store.list_agents(db)},
        outcomes=outcomes,
        zone=zone,
        local=in_zone(zone),
        args=request.args.to_dict(),
        **extra,
    ), (400 if problems else 200)
