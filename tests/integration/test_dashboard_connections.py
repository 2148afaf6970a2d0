"""The dashboard under a burst of agents: every request holds at most one pooled connection, so
as many agents as the pool has connections (and more) can log in and go ready at once."""

from __future__ import annotations

import threading
from collections.abc import Callable

from flask import Flask

from campaigns.agents import Agent
from campaigns.storage.db import Connection, connect, open_pool
from dashboard.app import DB_POOL_SIZE
from dashboard.db import RequestConnections, get_db
from dialer.agents.service import AgentService
from tests.agent_fixtures import agents
from tests.dashboard_fixtures import DashboardClient
from tests.factories import make_campaign

__all__ = ["agents"]


def test_a_service_called_by_a_view_uses_the_requests_connection(dashboard_app: Flask) -> None:
    with dashboard_app.test_request_context():
        own = get_db()
        with RequestConnections(dashboard_app).connection() as lent:
            assert lent is own


def test_more_agents_than_pooled_connections_go_ready_at_once(
    db: Connection,
    agents: AgentService,
    make_agent: Callable[..., Agent],
    sign_in: Callable[..., DashboardClient],
) -> None:
    campaign = make_campaign(db)
    clients = [sign_in(make_agent(f"agent{n}", (campaign.id,))) for n in range(DB_POOL_SIZE + 4)]
    start = threading.Barrier(len(clients))
    answers: list[int] = []

    def login_and_ready(client: DashboardClient) -> None:
        start.wait()
        for url in ("/api/v1/agent/login", "/api/v1/agent/ready"):
            answers.append(client.send_json("POST", url, {}).status_code)

    threads = [threading.Thread(target=login_and_ready, args=(c,)) for c in clients]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    # With the pool lent to the services, each request wanted a second connection while holding
    # one: with every connection held, they waited out the checkout timeout and answered 503.
    assert answers == [200] * (2 * len(clients))


def test_connections_run_without_jit_and_keep_the_url_s_own_options(database_url: str) -> None:
    """JIT compiled a 46 ms report for 280 ms (campaigns/storage/db.py)."""
    separator = "&" if "?" in database_url else "?"
    url = f"{database_url}{separator}options=-c%20statement_timeout%3D12345"
    with connect(url) as conn:
        assert conn.execute("SHOW jit").fetchone() == ("off",)
        assert conn.execute("SHOW statement_timeout").fetchone() == ("12345ms",)
    pool = open_pool(database_url, name="jit-check")
    try:
        with pool.connection() as pooled:
            assert pooled.execute("SHOW jit").fetchone() == ("off",)
    finally:
        pool.close()
