"""What the PostgreSQL server allows, read before starting processes that each hold connections."""

from __future__ import annotations

from dataclasses import dataclass

from campaigns.storage.db import Connection

_CONNECTIONS = """
SELECT current_setting('max_connections')::int,
       current_setting('superuser_reserved_connections')::int,
       (SELECT count(*) FROM pg_stat_activity WHERE backend_type = 'client backend')
"""


@dataclass(frozen=True)
class ConnectionSlots:
    max_connections: int
    reserved: int  # superuser_reserved_connections: not for ordinary roles
    in_use: int  # client connections open now, this one included

    @property
    def free(self) -> int:
        return max(0, self.max_connections - self.reserved - self.in_use)


def connection_slots(conn: Connection) -> ConnectionSlots:
    row = conn.execute(_CONNECTIONS).fetchone()
    assert row is not None
    return ConnectionSlots(int(row[0]), int(row[1]), int(row[2]))
