"""Fixtures of the agents' integration tests: a real Redis and PostgreSQL behind AgentService.

Import the fixtures into a test module (`from tests.agent_fixtures import agents`)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import pytest

from campaigns.storage.db import Connection, open_pool
from dialer.agents.service import AgentService
from dialer.bootstrap import redis_client
from tests.agent_factories import make_pause_codes

T0 = datetime(2026, 11, 26, 15, 0, tzinfo=UTC)


@pytest.fixture
def agents(db: Connection, database_url: str, redis_url: str) -> Iterator[AgentService]:
    """An AgentService on an empty database and Redis, its live state built at T0."""
    make_pause_codes(db, "break", "lunch", "training")
    pool = open_pool(database_url, max_size=8, name="agents-test")
    service = AgentService(redis_client(redis_url), pool)
    service.ensure_built(T0)
    yield service
    pool.close()
