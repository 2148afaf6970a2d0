"""The agents' live state from request handlers: the process's AgentService, and whose state a
request may read or change.

Agents act only on themselves; admins and supervisors may name any agent (`agent_id` in the
query or the body), because taking an agent off the floor or finishing a call for someone who
left is their job. A request naming an agent its user may not act for answers 403.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

import redis
from flask import abort, current_app

from campaigns.agents import Agent
from campaigns.errors import ValidationError
from campaigns.storage import agent_store
from campaigns.users import Role
from dashboard.auth import current_user
from dashboard.db import RequestConnections, get_db
from dialer.agents.service import AgentService

_SERVICE = "dialer.agent_service"


def redis_client() -> redis.Redis:
    client: redis.Redis = current_app.extensions["dialer.redis"]
    return client


def agent_service() -> AgentService:
    """One per app (it holds only the Redis client, the pool and its loaded Lua scripts)."""
    service: AgentService | None = current_app.extensions.get(_SERVICE)
    if service is None:  # two threads may both build one: harmless, the last one stays
        service = AgentService(redis_client(), RequestConnections(current_app))
        current_app.extensions[_SERVICE] = service
    return service


def now() -> datetime:
    return datetime.now(UTC)


def ready_service() -> AgentService:
    """The service with its live state present: after Redis lost it, the first write rebuilds
    it from PostgreSQL rather than acting on an empty floor (one EXISTS when it is there)."""
    service = agent_service()
    service.ensure_built(now())
    return service


def own_agent_or_none() -> Agent | None:
    user = current_user()
    return agent_store.agent_for_user(get_db(), user.id) if user else None


def acting_agent(values: Mapping[str, Any]) -> Agent:
    """The agent a request is about: the signed-in agent, or for managers the `agent_id` given
    (in the query string or the JSON body)."""
    user = current_user()
    assert user is not None  # the access rule let only signed-in users through
    raw = values.get("agent_id")
    named = _agent_id(raw) if raw not in (None, "") else None
    if user.role is Role.AGENT:
        own = own_agent_or_none()
        if own is None:
            abort(403, "this login has no agent profile; ask an admin to add your softphone")
        if named is not None and named != own.id:
            abort(403, "agents act only for themselves")
        return own
    if named is None:
        raise ValidationError(["agent_id: name the agent (supervisors act for an agent)"])
    return agent_store.get_agent(get_db(), named)  # NotFound answers 404


def _agent_id(raw: object) -> int:
    if isinstance(raw, bool):
        raise ValidationError(["agent_id: an agent id"])
    if isinstance(raw, int):
        return raw
    if isinstance(raw, str) and raw.strip().isdigit():
        return int(raw.strip())
    raise ValidationError(["agent_id: an agent id"])
