"""Pause codes in PostgreSQL: the reasons an agent may give for not taking calls."""

from __future__ import annotations

import psycopg

from campaigns.agents import PauseCode
from campaigns.errors import Conflict, NotFound
from campaigns.storage.db import Connection


def list_pause_codes(conn: Connection) -> list[PauseCode]:
    rows = conn.execute("SELECT code, label FROM pause_codes ORDER BY code").fetchall()
    return [PauseCode(str(code), str(label)) for code, label in rows]


def insert_pause_code(conn: Connection, pause_code: PauseCode) -> PauseCode:
    try:
        with conn.transaction():
            conn.execute(
                "INSERT INTO pause_codes (code, label) VALUES (%(code)s, %(label)s)",
                {"code": pause_code.code, "label": pause_code.label},
            )
    except psycopg.errors.UniqueViolation:
        raise Conflict(f"a pause code {pause_code.code!r} already exists") from None
    return pause_code


def delete_pause_code(conn: Connection, code: str) -> None:
    with conn.transaction():
        if conn.execute("DELETE FROM pause_codes WHERE code = %(code)s", {"code": code}).rowcount:
            return
    raise NotFound(f"no pause code {code!r}")
