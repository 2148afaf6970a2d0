"""Wires a process: settings -> the PostgreSQL and Redis it talks to (embedded when unset).

Each `dialer` command calls `resolve_services` once. When DATABASE_URL / REDIS_URL are unset it
starts (or joins) the embedded servers and exports their URLs, so every child process it launches
(workers, dashboard, scheduler) talks to the same servers without starting its own.
"""

from __future__ import annotations

import os
import secrets
from contextlib import suppress
from dataclasses import dataclass
from urllib.parse import urlsplit

import psycopg
import redis
from psycopg import sql
from psycopg.conninfo import conninfo_to_dict, make_conninfo

from campaigns.storage import migrate
from campaigns.storage.db import DatabaseUnavailable, connect
from dialer.embedded import EmbeddedServices
from dialer.settings import Settings


@dataclass(frozen=True)
class ServiceUrls:
    database_url: str
    redis_url: str


class RedisUnavailable(RuntimeError):
    """Redis cannot be reached; the message says where we tried."""


_embedded: EmbeddedServices | None = None


def resolve_services(settings: Settings) -> ServiceUrls:
    """The URLs this process uses, starting embedded servers for the unset ones."""
    global _embedded  # noqa: PLW0603 - one lease holder per process, released at exit
    database_url, redis_url = settings.database_url, settings.redis_url
    if database_url is None or redis_url is None:
        if _embedded is None:
            _embedded = EmbeddedServices(settings.data_dir)
        urls = _embedded.acquire(postgres=database_url is None, redis=redis_url is None)
        database_url = database_url or urls.database_url
        redis_url = redis_url or urls.redis_url
    assert database_url is not None and redis_url is not None
    os.environ["DATABASE_URL"] = database_url
    os.environ["REDIS_URL"] = redis_url
    return ServiceUrls(database_url, redis_url)


def upgrade_database(database_url: str) -> list[migrate.Migration]:
    """Migrate, first creating the database itself when the server has none of that name."""
    ensure_database(database_url)
    with connect(database_url) as conn:
        return migrate.upgrade(conn)


def ensure_database(database_url: str) -> None:
    info = conninfo_to_dict(database_url)
    name = str(info.get("dbname") or "")
    try:
        connect(database_url).close()
        return
    except DatabaseUnavailable as error:
        if not name or "does not exist" not in str(error):
            raise
    maintenance = make_conninfo(database_url, dbname="postgres")
    # DuplicateDatabase: another process created it meanwhile, which is as good.
    with connect(maintenance) as conn, suppress(psycopg.errors.DuplicateDatabase):
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


def redis_client(redis_url: str) -> redis.Redis:
    """A client that fails fast with a clear message when Redis is down."""
    client = redis.Redis.from_url(
        redis_url, socket_connect_timeout=5, socket_timeout=10, decode_responses=True
    )
    try:
        client.ping()
    except redis.RedisError as error:
        raise RedisUnavailable(f"cannot reach Redis at {redis_url}: {error}") from error
    return client


def kombu_url(redis_url: str) -> str:
    """Celery's broker URL for a redis-py URL: kombu spells unix sockets `redis+socket://`."""
    parts = urlsplit(redis_url)
    if parts.scheme == "unix":
        query = f"?{parts.query}" if parts.query else ""
        return f"redis+socket://{parts.path}{query}"
    return redis_url


def secret_key(settings: Settings) -> str:
    """DIALER_SECRET_KEY, or a random key generated once and kept in the data directory."""
    if settings.secret_key:
        return settings.secret_key
    path = settings.data_dir / "secret_key"
    if not path.exists():
        settings.data_dir.mkdir(parents=True, exist_ok=True)
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:  # another process wrote it first: use theirs
            pass
        else:
            with os.fdopen(fd, "w") as handle:
                handle.write(secrets.token_urlsafe(48))
    return path.read_text().strip()
