"""Report charts: pure functions from report rows (campaigns.report_rows) to plotly figures.

No I/O and no Flask: the routes serialise the figures with `fig.to_json()`. Every figure carries a
fixed `uirevision`, so `Plotly.react` with fresh data keeps the user's zoom and hidden traces.
"""
