"""Connections to PostgreSQL: one pool per process, created after any fork, checked before use.

Every connection is in autocommit mode and every unit of work is an explicit
`with conn.transaction():` block. Without autocommit, a transaction() block opened after any
earlier statement is only a savepoint inside psycopg's implicit transaction and commits nothing:
exactly the mistake that would let an INVITE go out before the claim that allows it is durable.
"""

from __future__ import annotations

import psycopg
from psycopg.conninfo import conninfo_to_dict
from psycopg.rows import TupleRow
from psycopg_pool import ConnectionPool, PoolTimeout

Connection = psycopg.Connection[TupleRow]


class DatabaseUnavailable(RuntimeError):
    """PostgreSQL cannot be reached; the message says where we tried."""


# PostgreSQL compiles a query with LLVM once its estimated cost passes `jit_above_cost`. Ours are
# short statements and aggregates over rollups: the best-time report over 30 days of 20 campaigns
# ran in 46 ms and then spent 280 ms compiling (its EXISTS on dispositions inflates the estimate),
# in its first ten runs on a connection (then the server used a generic plan of the statement
# psycopg had prepared, without JIT). JIT never paid back on any query measured (`dialer bench
# reports`), so every connection turns it off.
_SESSION_OPTIONS = "-c jit=off"


def session_options(database_url: str) -> str:
    """The server options every connection starts with: the URL's own, then ours."""
    options = str(conninfo_to_dict(database_url).get("options") or "")
    return f"{options} {_SESSION_OPTIONS}".strip()


def connect(database_url: str) -> Connection:
    try:
        return psycopg.connect(
            database_url,
            autocommit=True,
            connect_timeout=10,
            options=session_options(database_url),
        )
    except psycopg.OperationalError as error:
        raise DatabaseUnavailable(f"cannot connect to PostgreSQL: {_first_line(error)}") from error


def open_pool(
    database_url: str,
    min_size: int = 1,
    max_size: int = 4,
    name: str = "dialer",
) -> ConnectionPool:
    """A pool that checks each connection on checkout: after a PostgreSQL restart the pool would
    otherwise hand out dead connections (psycopg_pool does not check them by default)."""
    pool = ConnectionPool(
        database_url,
        min_size=min_size,
        max_size=max_size,
        name=name,
        open=False,
        check=ConnectionPool.check_connection,
        kwargs={
            "connect_timeout": 10,
            "autocommit": True,
            "options": session_options(database_url),
        },
    )
    try:
        pool.open(wait=True, timeout=15)
    except PoolTimeout as error:
        pool.close()
        raise DatabaseUnavailable(
            f"cannot connect to PostgreSQL at {_safe(database_url)}"
        ) from error
    return pool


def _first_line(error: Exception) -> str:
    return str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__


def _safe(url: str) -> str:
    """The URL without its password, for error messages."""
    from urllib.parse import urlsplit, urlunsplit

    parts = urlsplit(url)
    if parts.password:
        netloc = parts.netloc.replace(f":{parts.password}@", ":***@")
        parts = parts._replace(netloc=netloc)
    return urlunsplit(parts)
