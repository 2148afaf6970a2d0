"""Per-list penetration of one campaign (contacts by state, share tried), for the campaign and
lists pages: the report's own query and figures (campaigns.storage.reports.lists), one campaign."""

from __future__ import annotations

from datetime import UTC, datetime

from campaigns.report_figures import list_penetration
from campaigns.report_filter import ReportFilter
from campaigns.report_rows import ListPenetration
from campaigns.storage.db import Connection
from campaigns.storage.reports.lists import list_state_counts


def campaign_penetration(conn: Connection, campaign_id: int) -> list[ListPenetration]:
    # The lists' state now: the report ignores the date range, any day will do.
    today = datetime.now(UTC).date()
    return list_penetration(list_state_counts(conn, ReportFilter((campaign_id,), today, today)))
