"""List penetration: contacts per list by state and by attempts so far.

The figures are the lists' state now: the date range does not apply, the campaign filter does.
"""

from __future__ import annotations

from psycopg import sql

from campaigns.report_filter import ReportFilter
from campaigns.report_rows import ListStateCount
from campaigns.storage.db import Connection
from campaigns.storage.reports.scope import campaign_condition, params

_QUERY = """
SELECT r.list_id, coalesce(l.name, '#' || r.list_id::text), r.campaign_id, r.state, r.attempts,
       r.contacts
FROM report_list_contacts r LEFT JOIN contact_lists l ON l.id = r.list_id
WHERE r.contacts <> 0 AND {campaigns}
ORDER BY r.campaign_id, r.list_id, r.state, r.attempts
"""


def list_state_counts(conn: Connection, report: ReportFilter) -> list[ListStateCount]:
    query = sql.SQL(_QUERY).format(campaigns=campaign_condition(report))
    rows = conn.execute(query, params(report)).fetchall()
    return [
        ListStateCount(int(i), str(name), int(c), str(state), int(attempts), int(contacts))
        for i, name, c, state, attempts, contacts in rows
    ]
