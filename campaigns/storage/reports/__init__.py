"""Report queries: SQL over the rollups of migration 0004_reports_rollups, rows into dataclasses.

Every query takes a ReportFilter (campaigns, local date range, time zone); values are bound as
named parameters and the only SQL composed at run time is chosen from constants (the campaign
condition, an allow-listed sort column). Metric definitions: campaigns.report_metrics.
"""
