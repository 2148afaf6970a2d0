"""Users and their API tokens in PostgreSQL."""

from __future__ import annotations

from typing import Any

import psycopg
from psycopg.rows import dict_row

from campaigns.errors import Conflict, NotFound
from campaigns.storage.db import Connection
from campaigns.users import ApiToken, Role, User

_COLUMNS = "id, username, display_name, role, session_epoch, disabled, created_at"

_INSERT = """
INSERT INTO users (username, display_name, role, password_hash)
VALUES (%(username)s, %(display_name)s, %(role)s, %(password_hash)s)
RETURNING id
"""

# A new epoch makes every session issued before the change invalid (dashboard auth checks it).
_SET_PASSWORD = """
UPDATE users SET password_hash = %(password_hash)s, session_epoch = session_epoch + 1
WHERE id = %(id)s
"""

_TOKEN_COLUMNS = "id, user_id, name, created_at, last_used_at, revoked_at"

# One statement: find a live token of an enabled user and stamp its use.
_USE_TOKEN = f"""
UPDATE api_tokens t SET last_used_at = now()
FROM users u
WHERE t.token_hash = %(digest)s AND t.revoked_at IS NULL AND u.id = t.user_id AND NOT u.disabled
RETURNING {", ".join("u." + c for c in _COLUMNS.split(", "))}
"""


def insert_user(
    conn: Connection, username: str, role: Role, password_hash: str, display_name: str = ""
) -> User:
    params = {
        "username": username,
        "display_name": display_name,
        "role": role,
        "password_hash": password_hash,
    }
    try:
        with conn.transaction():
            row = conn.execute(_INSERT, params).fetchone()
    except psycopg.errors.UniqueViolation:
        raise Conflict(f"a user named {username!r} already exists") from None
    assert row is not None
    return get_user(conn, int(row[0]))


def get_user(conn: Connection, user_id: int) -> User:
    return _one(conn, "id = %(key)s", user_id, f"no user with id {user_id}")


def find_user(conn: Connection, username: str) -> User:
    return _one(conn, "username = %(key)s", username, f"no user named {username!r}")


def password_hash_of(conn: Connection, username: str) -> tuple[User, str] | None:
    """The user and their hash, for a login; None when no such user exists."""
    with conn.cursor(row_factory=dict_row) as cur:
        row = cur.execute(
            f"SELECT {_COLUMNS}, password_hash FROM users WHERE username = %(username)s",
            {"username": username},
        ).fetchone()
    if row is None:
        return None
    return _user(row), str(row["password_hash"])


def list_users(conn: Connection, role: Role | None = None) -> list[User]:
    with conn.cursor(row_factory=dict_row) as cur:
        rows = cur.execute(
            f"SELECT {_COLUMNS} FROM users"
            " WHERE %(role)s::text IS NULL OR role = %(role)s ORDER BY username",
            {"role": role},
        ).fetchall()
    return [_user(row) for row in rows]


def set_password(conn: Connection, user_id: int, password_hash: str) -> User:
    with conn.transaction():
        done = conn.execute(_SET_PASSWORD, {"id": user_id, "password_hash": password_hash})
        if done.rowcount == 0:
            raise NotFound(f"no user with id {user_id}")
    return get_user(conn, user_id)


def update_user(
    conn: Connection, user_id: int, display_name: str, role: Role, disabled: bool
) -> User:
    """Change a user's name, role or access. A role change or a disabling also bumps the session
    epoch: a demoted or disabled user's open sessions end now, not when they expire."""
    with conn.transaction():
        done = conn.execute(
            """UPDATE users SET display_name = %(display_name)s, role = %(role)s,
                   disabled = %(disabled)s,
                   session_epoch = session_epoch
                       + CASE WHEN role <> %(role)s OR (%(disabled)s AND NOT disabled)
                              THEN 1 ELSE 0 END
               WHERE id = %(id)s""",
            {"id": user_id, "display_name": display_name, "role": role, "disabled": disabled},
        )
        if done.rowcount == 0:
            raise NotFound(f"no user with id {user_id}")
    return get_user(conn, user_id)


def insert_token(conn: Connection, user_id: int, name: str, digest: str) -> ApiToken:
    with conn.transaction(), conn.cursor(row_factory=dict_row) as cur:
        row = cur.execute(
            f"INSERT INTO api_tokens (user_id, name, token_hash)"
            f" VALUES (%(user_id)s, %(name)s, %(digest)s) RETURNING {_TOKEN_COLUMNS}",
            {"user_id": user_id, "name": name, "digest": digest},
        ).fetchone()
    assert row is not None
    return ApiToken(**row)


def list_tokens(conn: Connection, user_id: int | None = None) -> list[ApiToken]:
    with conn.cursor(row_factory=dict_row) as cur:
        rows = cur.execute(
            f"SELECT {_TOKEN_COLUMNS} FROM api_tokens"
            " WHERE %(user_id)s::bigint IS NULL OR user_id = %(user_id)s ORDER BY id",
            {"user_id": user_id},
        ).fetchall()
    return [ApiToken(**row) for row in rows]


def revoke_token(conn: Connection, token_id: int) -> None:
    with conn.transaction():
        done = conn.execute(
            "UPDATE api_tokens SET revoked_at = coalesce(revoked_at, now()) WHERE id = %(id)s",
            {"id": token_id},
        )
        if done.rowcount == 0:
            raise NotFound(f"no API token with id {token_id}")


def user_for_token(conn: Connection, digest: str) -> User | None:
    """The enabled user a live token belongs to (stamping the token's last use), or None."""
    with conn.transaction(), conn.cursor(row_factory=dict_row) as cur:
        row = cur.execute(_USE_TOKEN, {"digest": digest}).fetchone()
    return None if row is None else _user(row)


def _one(conn: Connection, where: str, key: object, missing: str) -> User:
    with conn.cursor(row_factory=dict_row) as cur:
        row = cur.execute(f"SELECT {_COLUMNS} FROM users WHERE {where}", {"key": key}).fetchone()
    if row is None:
        raise NotFound(missing)
    return _user(row)


def _user(row: dict[str, Any]) -> User:
    return User(
        id=row["id"],
        username=row["username"],
        display_name=row["display_name"],
        role=Role(row["role"]),
        session_epoch=row["session_epoch"],
        disabled=row["disabled"],
        created_at=row["created_at"],
    )


def set_password_hash_only(conn: Connection, user_id: int, password_hash: str) -> None:
    """Replace the hash of an unchanged password (a rehash at a higher cost): sessions stay."""
    with conn.transaction():
        conn.execute(
            "UPDATE users SET password_hash = %(password_hash)s WHERE id = %(id)s",
            {"id": user_id, "password_hash": password_hash},
        )


def set_phone(conn: Connection, user_id: int, sip_uri: str | None) -> None:
    """The user's own softphone (supervisors are rung on it to listen in); None forgets it."""
    with conn.transaction():
        done = conn.execute(
            "UPDATE users SET sip_uri = %(sip_uri)s WHERE id = %(id)s",
            {"sip_uri": sip_uri, "id": user_id},
        )
    if done.rowcount == 0:
        raise NotFound(f"no user with id {user_id}")


def phone_of(conn: Connection, user_id: int) -> str | None:
    row = conn.execute("SELECT sip_uri FROM users WHERE id = %(id)s", {"id": user_id}).fetchone()
    return None if row is None or row[0] is None else str(row[0])
