"""Trunks in PostgreSQL."""

from __future__ import annotations

from typing import Any

import psycopg
from psycopg.rows import dict_row

from campaigns.errors import Conflict, NotFound
from campaigns.storage.db import Connection
from campaigns.trunk import Trunk, TrunkSpec

_SELECT = """
SELECT id, name, uri_template, outbound_proxy, auth_username, auth_password, auth_realm,
       max_lines, max_cps
FROM trunks
"""

_INSERT = """
INSERT INTO trunks (name, uri_template, outbound_proxy, auth_username, auth_password, auth_realm,
                    max_lines, max_cps)
VALUES (%(name)s, %(uri_template)s, %(outbound_proxy)s, %(auth_username)s, %(auth_password)s,
        %(auth_realm)s, %(max_lines)s, %(max_cps)s)
RETURNING id
"""


def insert_trunk(conn: Connection, spec: TrunkSpec) -> Trunk:
    try:
        with conn.transaction():
            row = conn.execute(_INSERT, spec.__dict__).fetchone()
    except psycopg.errors.UniqueViolation:
        raise Conflict(f"a trunk named {spec.name!r} already exists") from None
    assert row is not None
    return Trunk(int(row[0]), spec)


def get_trunk(conn: Connection, trunk_id: int) -> Trunk:
    with conn.cursor(row_factory=dict_row) as cur:
        row = cur.execute(f"{_SELECT} WHERE id = %(id)s", {"id": trunk_id}).fetchone()
    if row is None:
        raise NotFound(f"no trunk with id {trunk_id}")
    return _trunk(row)


def list_trunks(conn: Connection) -> list[Trunk]:
    with conn.cursor(row_factory=dict_row) as cur:
        return [_trunk(row) for row in cur.execute(f"{_SELECT} ORDER BY name").fetchall()]


def _trunk(row: dict[str, Any]) -> Trunk:
    fields = {key: value for key, value in row.items() if key != "id"}
    fields["max_cps"] = float(fields["max_cps"])
    return Trunk(row["id"], TrunkSpec(**fields))


_UPDATE = """
UPDATE trunks SET name = %(name)s, uri_template = %(uri_template)s,
       outbound_proxy = %(outbound_proxy)s, auth_username = %(auth_username)s,
       auth_password = %(auth_password)s, auth_realm = %(auth_realm)s,
       max_lines = %(max_lines)s, max_cps = %(max_cps)s
WHERE id = %(id)s
"""


def update_trunk(conn: Connection, trunk_id: int, spec: TrunkSpec) -> Trunk:
    try:
        with conn.transaction():
            if conn.execute(_UPDATE, spec.__dict__ | {"id": trunk_id}).rowcount == 0:
                raise NotFound(f"no trunk with id {trunk_id}")
    except psycopg.errors.UniqueViolation:
        raise Conflict(f"a trunk named {spec.name!r} already exists") from None
    return Trunk(trunk_id, spec)
