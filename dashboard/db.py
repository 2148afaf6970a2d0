"""PostgreSQL for request handlers: one pool per process (made by the factory, after the fork),
one connection per request on `g`, back to the pool when the request ends."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from flask import Flask, current_app, g, has_request_context
from psycopg import pq
from psycopg_pool import ConnectionPool

from campaigns.storage.db import Connection, open_pool

_POOL = "dialer.pool"
# Seconds a request waits for a free connection before it fails with 503.
CHECKOUT_TIMEOUT_S = 10.0


def init_pool(app: Flask, database_url: str, max_size: int) -> None:
    # Pool connections are autocommit (campaigns/storage/db.py): every store function wraps its
    # writes in its own transaction, and no request leaves a connection idle in a transaction.
    app.extensions[_POOL] = open_pool(database_url, min_size=1, max_size=max_size, name="dashboard")
    app.teardown_appcontext(_release)


def pool(app: Flask) -> ConnectionPool:
    found: ConnectionPool = app.extensions[_POOL]
    return found


def get_db() -> Connection:
    if "db" not in g:
        g.db = pool(current_app).getconn(timeout=CHECKOUT_TIMEOUT_S)
    conn: Connection = g.db
    return conn


def _release(_error: BaseException | None) -> None:
    conn: Connection | None = g.pop("db", None)
    if conn is None:
        return
    if conn.info.transaction_status != pq.TransactionStatus.IDLE:
        conn.rollback()
    pool(current_app).putconn(conn)


class RequestConnections:
    """Where the services a view calls (agents, previews, manual dials) get their connection:
    inside a request, the request's own (`get_db`); outside one, the pool's.

    Handing them the pool made a request hold two connections: its own, taken for the signed-in
    user, and the service's. When as many requests came at once as the pool has connections
    (60 robot agents logging in together), each held one and waited for a second: every login
    and ready stalled until the 10-30 s checkout timeouts, and most failed with 503."""

    def __init__(self, app: Flask) -> None:
        self._pool = pool(app)

    @contextmanager
    def connection(self) -> Iterator[Connection]:
        if has_request_context():
            yield get_db()
            return
        with self._pool.connection() as conn:
            yield conn


def close_pool(app: Flask) -> None:
    pool(app).close()
