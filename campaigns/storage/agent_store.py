"""Agents (a user with role agent, a softphone and the campaigns they may work) in PostgreSQL."""

from __future__ import annotations

from typing import Any

import psycopg
from psycopg.rows import dict_row

from campaigns.agents import Agent, AgentSpec, AgentState, AgentStatus, ForwardMode
from campaigns.errors import Conflict, NotFound, ValidationError
from campaigns.storage.db import Connection

_SELECT = """
SELECT a.id, a.user_id, u.username, u.display_name, u.disabled, a.sip_uri, a.forward_mode,
       a.forward_to, a.created_at,
       coalesce(array_agg(ac.campaign_id ORDER BY ac.campaign_id)
                FILTER (WHERE ac.campaign_id IS NOT NULL), '{}') AS campaign_ids
FROM agents a
JOIN users u ON u.id = a.user_id
LEFT JOIN agent_campaigns ac ON ac.agent_id = a.id
"""
_GROUP = " GROUP BY a.id, u.id"

_INSERT_USER = """
INSERT INTO users (username, display_name, role, password_hash)
VALUES (%(username)s, %(display_name)s, 'agent', %(password_hash)s)
RETURNING id
"""

_INSERT_AGENT = """
INSERT INTO agents (user_id, sip_uri, forward_mode, forward_to)
VALUES (%(user_id)s, %(sip_uri)s, %(forward_mode)s, %(forward_to)s)
RETURNING id
"""

_UPDATE_AGENT = """
UPDATE agents SET sip_uri = %(sip_uri)s, forward_mode = %(forward_mode)s,
                  forward_to = %(forward_to)s
WHERE id = %(id)s
RETURNING user_id
"""

# The latest recorded state per agent (agent_state_history); live state comes from Redis later.
_LATEST_STATES = """
SELECT a.id AS agent_id, u.username, h.state, h.reason, h.campaign_id, h.started_at
FROM agents a
JOIN users u ON u.id = a.user_id
LEFT JOIN LATERAL (
    SELECT state, reason, campaign_id, started_at FROM agent_state_history
    WHERE agent_id = a.id ORDER BY seq DESC NULLS LAST, started_at DESC LIMIT 1
) h ON true
WHERE %(agent_id)s::bigint IS NULL OR a.id = %(agent_id)s
ORDER BY u.username
"""


def insert_agent(
    conn: Connection, username: str, display_name: str, password_hash: str, spec: AgentSpec
) -> Agent:
    """The agent's login and softphone in one transaction: no user without its agent row."""
    try:
        with conn.transaction():
            row = conn.execute(
                _INSERT_USER,
                {
                    "username": username,
                    "display_name": display_name,
                    "password_hash": password_hash,
                },
            ).fetchone()
            assert row is not None
            agent_row = conn.execute(_INSERT_AGENT, _params(spec) | {"user_id": row[0]}).fetchone()
            assert agent_row is not None
            agent_id = int(agent_row[0])
            _set_campaigns(conn, agent_id, spec.campaign_ids)
    except psycopg.errors.UniqueViolation:
        raise Conflict(f"a user named {username!r} already exists") from None
    return get_agent(conn, agent_id)


def update_agent(
    conn: Connection, agent_id: int, display_name: str, disabled: bool, spec: AgentSpec
) -> Agent:
    with conn.transaction():
        row = conn.execute(_UPDATE_AGENT, _params(spec) | {"id": agent_id}).fetchone()
        if row is None:
            raise NotFound(f"no agent with id {agent_id}")
        conn.execute(
            """UPDATE users SET display_name = %(display_name)s, disabled = %(disabled)s,
                   session_epoch = session_epoch + CASE WHEN %(disabled)s AND NOT disabled
                                                        THEN 1 ELSE 0 END
               WHERE id = %(user_id)s""",
            {"display_name": display_name, "disabled": disabled, "user_id": row[0]},
        )
        _set_campaigns(conn, agent_id, spec.campaign_ids)
    return get_agent(conn, agent_id)


def get_agent(conn: Connection, agent_id: int) -> Agent:
    with conn.cursor(row_factory=dict_row) as cur:
        row = cur.execute(f"{_SELECT} WHERE a.id = %(id)s{_GROUP}", {"id": agent_id}).fetchone()
    if row is None:
        raise NotFound(f"no agent with id {agent_id}")
    return _agent(row)


def agent_for_user(conn: Connection, user_id: int) -> Agent | None:
    with conn.cursor(row_factory=dict_row) as cur:
        row = cur.execute(
            f"{_SELECT} WHERE a.user_id = %(user_id)s{_GROUP}", {"user_id": user_id}
        ).fetchone()
    return None if row is None else _agent(row)


def list_agents(conn: Connection, campaign_id: int | None = None) -> list[Agent]:
    with conn.cursor(row_factory=dict_row) as cur:
        rows = cur.execute(
            f"{_SELECT}{_GROUP} HAVING %(campaign_id)s::bigint IS NULL"
            " OR %(campaign_id)s = ANY(array_agg(ac.campaign_id)) ORDER BY u.username",
            {"campaign_id": campaign_id},
        ).fetchall()
    return [_agent(row) for row in rows]


def agent_states(conn: Connection, agent_id: int | None = None) -> list[AgentStatus]:
    with conn.cursor(row_factory=dict_row) as cur:
        rows = cur.execute(_LATEST_STATES, {"agent_id": agent_id}).fetchall()
    return [
        AgentStatus(
            agent_id=row["agent_id"],
            username=row["username"],
            state=AgentState(row["state"] or AgentState.LOGGED_OUT),
            reason=row["reason"],
            campaign_id=row["campaign_id"],
            since=row["started_at"],
        )
        for row in rows
    ]


def _set_campaigns(conn: Connection, agent_id: int, campaign_ids: tuple[int, ...]) -> None:
    conn.execute("DELETE FROM agent_campaigns WHERE agent_id = %(id)s", {"id": agent_id})
    try:
        with conn.transaction():
            for campaign_id in campaign_ids:
                conn.execute(
                    "INSERT INTO agent_campaigns (agent_id, campaign_id)"
                    " VALUES (%(agent_id)s, %(campaign_id)s)",
                    {"agent_id": agent_id, "campaign_id": campaign_id},
                )
    except psycopg.errors.ForeignKeyViolation:
        raise ValidationError(["campaign_ids: no campaign with one of these ids"]) from None


def _params(spec: AgentSpec) -> dict[str, Any]:
    return {
        "sip_uri": spec.sip_uri,
        "forward_mode": spec.forward_mode,
        "forward_to": spec.forward_to,
    }


def _agent(row: dict[str, Any]) -> Agent:
    return Agent(
        id=row["id"],
        user_id=row["user_id"],
        username=row["username"],
        display_name=row["display_name"],
        disabled=row["disabled"],
        spec=AgentSpec(
            sip_uri=row["sip_uri"],
            forward_mode=ForwardMode(row["forward_mode"]),
            forward_to=row["forward_to"],
            campaign_ids=tuple(row["campaign_ids"]),
        ),
        created_at=row["created_at"],
    )


def forwarding(conn: Connection, agent_id: int) -> tuple[ForwardMode, str | None]:
    """The agent's call forwarding (mode, destination), read as a call is offered to them."""
    row = conn.execute(
        "SELECT forward_mode, forward_to FROM agents WHERE id = %(id)s", {"id": agent_id}
    ).fetchone()
    if row is None:
        return ForwardMode.OFF, None
    return ForwardMode(row[0]), row[1]


def set_forwarding(
    conn: Connection, agent_id: int, mode: ForwardMode, forward_to: str | None
) -> None:
    """Set the agent's forwarding (validated by the caller, campaigns.agents.validate_agent)."""
    row = conn.execute(
        "UPDATE agents SET forward_mode = %(mode)s, forward_to = %(to)s WHERE id = %(id)s"
        " RETURNING id",
        {"mode": mode.value, "to": forward_to, "id": agent_id},
    ).fetchone()
    if row is None:
        raise NotFound(f"no agent with id {agent_id}")
