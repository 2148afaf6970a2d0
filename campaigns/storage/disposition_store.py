"""A campaign's dispositions in PostgreSQL."""

from __future__ import annotations

from typing import Any

import psycopg
from psycopg.rows import dict_row

from campaigns.dispositions import Disposition, DispositionAction
from campaigns.errors import Conflict, NotFound
from campaigns.storage.db import Connection

_COLUMNS = "campaign_id, code, label, action, human, position"

_UPSERT = """
INSERT INTO dispositions (campaign_id, code, label, action, human, position)
VALUES (%(campaign_id)s, %(code)s, %(label)s, %(action)s, %(human)s, %(position)s)
"""


def list_dispositions(conn: Connection, campaign_id: int) -> list[Disposition]:
    with conn.cursor(row_factory=dict_row) as cur:
        rows = cur.execute(
            f"SELECT {_COLUMNS} FROM dispositions WHERE campaign_id = %(campaign_id)s"
            " ORDER BY position, code",
            {"campaign_id": campaign_id},
        ).fetchall()
    return [_disposition(row) for row in rows]


def insert_disposition(conn: Connection, disposition: Disposition) -> Disposition:
    try:
        with conn.transaction():
            conn.execute(_UPSERT, _params(disposition))
    except psycopg.errors.UniqueViolation:
        raise Conflict(f"the campaign already has a disposition {disposition.code!r}") from None
    except psycopg.errors.ForeignKeyViolation:
        raise NotFound(f"no campaign with id {disposition.campaign_id}") from None
    return disposition


def update_disposition(conn: Connection, disposition: Disposition) -> Disposition:
    with conn.transaction():
        done = conn.execute(
            """UPDATE dispositions SET label = %(label)s, action = %(action)s, human = %(human)s,
                   position = %(position)s
               WHERE campaign_id = %(campaign_id)s AND code = %(code)s""",
            _params(disposition),
        )
        if done.rowcount == 0:
            raise NotFound(f"no disposition {disposition.code!r} in this campaign")
    return disposition


def delete_disposition(conn: Connection, campaign_id: int, code: str) -> None:
    with conn.transaction():
        done = conn.execute(
            "DELETE FROM dispositions WHERE campaign_id = %(campaign_id)s AND code = %(code)s",
            {"campaign_id": campaign_id, "code": code},
        )
        if done.rowcount:
            return
    raise NotFound(f"no disposition {code!r} in this campaign")


def _params(disposition: Disposition) -> dict[str, Any]:
    return {
        "campaign_id": disposition.campaign_id,
        "code": disposition.code,
        "label": disposition.label,
        "action": disposition.action,
        "human": disposition.human,
        "position": disposition.position,
    }


def _disposition(row: dict[str, Any]) -> Disposition:
    return Disposition(
        campaign_id=row["campaign_id"],
        code=row["code"],
        label=row["label"],
        action=DispositionAction(row["action"]),
        human=row["human"],
        position=row["position"],
    )
