"""A report request read from query-string values: the filter and the report's own options, all
validated before any SQL. Shared by the report pages and the report API so both accept the same
parameters and refuse the same mistakes."""

from __future__ import annotations

from collections.abc import Collection
from datetime import date

from werkzeug.datastructures import MultiDict

from campaigns.errors import ValidationError
from campaigns.report_filter import ReportFilter, parse_report_filter, parse_sort
from campaigns.report_metrics import DEFAULT_SERVICE_LEVEL_S, valid_service_level_threshold
from dashboard.report_catalog import Options, Report


def parse_report_request(
    report: Report,
    args: MultiDict[str, str],
    today: date,
    default_tz: str,
    known_campaigns: Collection[int] | None = None,
) -> tuple[ReportFilter, Options]:
    """`campaign` (repeatable), `from`, `to`, `tz`, and `sort`/`threshold` where the report has
    them. With `known_campaigns`, an id that is not one of them is refused rather than giving an
    empty report (an integration's typo should not read as "no calls")."""
    scope = parse_report_filter(args, args.getlist("campaign"), today, default_tz)
    if known_campaigns is not None:
        unknown = [i for i in scope.campaign_ids if i not in known_campaigns]
        if unknown:
            raise ValidationError([f"campaign: no campaign {i}" for i in unknown])
    sort = None
    if report.sort_columns and report.default_sort is not None:
        sort = parse_sort(args.get("sort"), report.sort_columns, report.default_sort)
    threshold = DEFAULT_SERVICE_LEVEL_S
    raw = args.get("threshold")
    if report.uses_threshold and raw:
        if not raw.isdigit() or not valid_service_level_threshold(int(raw[:6])):
            raise ValidationError([f"threshold: {raw[:20]!r} is not a multiple of 5 up to 300"])
        threshold = int(raw)
    return scope, Options(sort=sort, threshold_s=threshold)
