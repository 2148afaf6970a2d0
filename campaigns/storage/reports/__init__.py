"""Report queries: SQL over the rollup tables of migration 0003, rows into report_rows dataclasses.

Every query takes a ReportFilter (campaigns, local date range, time zone); values are bound as
named parameters and the only SQL composed at run time is chosen from constants (the campaign
condition, an allow-listed sort column). Metric definitions: campaigns.report_metrics.
"""
