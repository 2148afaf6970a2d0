"""Test tiers and the real services the integration tiers use.

Tiers follow the directory: tests/unit, tests/integration, tests/sip, tests/browser, tests/e2e
(select with `-m unit`, `-m "integration or sip"`, ...). Integration and later tiers use the
machine's PostgreSQL (127.0.0.1:5432) and Redis (127.0.0.1:6379) when they answer, otherwise the
embedded servers; each test session gets its own database and its own Redis database number, so
concurrent runs on one machine do not see each other.
"""

from __future__ import annotations

import os
import socket
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import psycopg
import pytest
import redis
from playwright.sync_api import Browser, Page, Playwright, Route, sync_playwright
from psycopg import sql

from campaigns.storage import migrate
from dialer.embedded import EmbeddedServices
from tests.dashboard_process import running_dashboard

TIERS = ("unit", "integration", "sip", "browser", "e2e")
ROOT = Path(__file__).resolve().parent.parent
ARTIFACTS = ROOT / "tests" / "artifacts"


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        parts = Path(str(item.fspath)).relative_to(ROOT / "tests").parts
        if parts and parts[0] in TIERS:
            item.add_marker(getattr(pytest.mark, parts[0]))


def with_database(url: str, name: str) -> str:
    """The same server URL naming another database."""
    return urlunsplit(urlsplit(url)._replace(path=f"/{name}"))


def _answers(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host, port), timeout=1):
            return True
    except OSError:
        return False


@pytest.fixture(scope="session")
def embedded(tmp_path_factory: pytest.TempPathFactory) -> Iterator[EmbeddedServices]:
    services = EmbeddedServices(tmp_path_factory.mktemp("embedded"))
    yield services
    services.release()


@pytest.fixture(scope="session")
def postgres_admin_url(request: pytest.FixtureRequest) -> str:
    """A URL with the right to create databases."""
    if os.environ.get("TEST_DATABASE_URL"):
        return os.environ["TEST_DATABASE_URL"]
    if _answers("127.0.0.1", 5432):
        return "postgresql://postgres@127.0.0.1:5432/postgres"
    embedded: EmbeddedServices = request.getfixturevalue("embedded")
    url = embedded.acquire(postgres=True, redis=False).database_url
    assert url is not None
    return url


@pytest.fixture(scope="session")
def database_url(postgres_admin_url: str) -> Iterator[str]:
    """A fresh, migrated database for this test session, dropped at the end."""
    name = f"dialer_test_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(postgres_admin_url, autocommit=True) as admin:
        admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    url = with_database(postgres_admin_url, name)
    with psycopg.connect(url) as conn:
        migrate.upgrade(conn)
    yield url
    with psycopg.connect(postgres_admin_url, autocommit=True) as admin:
        admin.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
        )


def _tables(conn: psycopg.Connection[tuple[object, ...]]) -> list[str]:
    rows = conn.execute(
        "SELECT tablename FROM pg_tables"
        " WHERE schemaname = 'public' AND tablename <> 'schema_migrations'"
    ).fetchall()
    return [str(row[0]) for row in rows]


@pytest.fixture
def db(database_url: str) -> Iterator[psycopg.Connection[tuple[object, ...]]]:
    """An autocommit connection (as in production: see campaigns/storage/db.py) to the emptied
    test database (every table truncated, identities restarted)."""
    with psycopg.connect(database_url, autocommit=True) as conn:
        tables = _tables(conn)
        if tables:
            conn.execute(
                sql.SQL("TRUNCATE {} RESTART IDENTITY CASCADE").format(
                    sql.SQL(", ").join(sql.Identifier(t) for t in tables)
                )
            )
            conn.commit()
        yield conn


@pytest.fixture(scope="session")
def redis_base_url(request: pytest.FixtureRequest) -> Iterator[str]:
    """A Redis database number no other test session on this machine holds."""
    if os.environ.get("TEST_REDIS_URL"):
        yield os.environ["TEST_REDIS_URL"]
        return
    if not _answers("127.0.0.1", 6379):
        embedded: EmbeddedServices = request.getfixturevalue("embedded")
        url = embedded.acquire(postgres=False, redis=True).redis_url
        assert url is not None
        yield url
        return
    token = uuid.uuid4().hex
    for number in range(1, 16):
        client = redis.Redis(host="127.0.0.1", port=6379, db=number)
        if client.set("dialer-test-session", token, nx=True, ex=4 * 3600):
            yield f"redis://127.0.0.1:6379/{number}"
            client.flushdb()
            return
    pytest.fail("every Redis database 1-15 on 127.0.0.1:6379 is held by another test session")


@pytest.fixture
def redis_url(redis_base_url: str) -> str:
    """The session's Redis database, emptied (but for the session's claim on it)."""
    client = redis.Redis.from_url(redis_base_url)
    holder = client.get("dialer-test-session")
    client.flushdb()
    if holder is not None:
        client.set("dialer-test-session", holder, ex=4 * 3600)
    return redis_base_url


@pytest.fixture
def service_env(
    monkeypatch: pytest.MonkeyPatch, database_url: str, redis_url: str, tmp_path: Path
) -> dict[str, str]:
    """Environment for dialer code under test: the session's servers and a private data dir."""
    env = {
        "DATABASE_URL": database_url,
        "REDIS_URL": redis_url,
        "DIALER_DATA_DIR": str(tmp_path / "data"),
    }
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    return env


@pytest.fixture(scope="session")
def artifacts() -> Path:
    """Where tests leave screenshots and logs for people to look at (ignored by git)."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    return ARTIFACTS


# One Playwright driver and one headless Chromium (Debian's, never a downloaded browser) for the
# whole session. Playwright's sync API runs an event loop while its driver is open, so a test
# that opened a second driver with sync_playwright() after these fixtures had been used would
# fail ("Sync API inside the asyncio loop"): every browser test, e2e included, uses `browser`.
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run",
]  # fmt: skip


@pytest.fixture(scope="session")
def playwright() -> Iterator[Playwright]:
    with sync_playwright() as driver:
        yield driver


@pytest.fixture(scope="session")
def browser(playwright: Playwright) -> Iterator[Browser]:
    chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
    yield chromium
    chromium.close()


# The real dashboard (`dialer dashboard`, gunicorn) in a subprocess on a free port, and a fresh
# page on it: the browser tier's, and the sip tier's agent console test (a real call reaching
# the page), so here rather than in tests/browser/conftest.py. Requests leaving 127.0.0.1 are
# aborted, so a page that needed a CDN would break here as it would on an offline LAN.


@pytest.fixture(scope="session")
def dashboard_url(
    database_url: str, redis_base_url: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    """`dialer dashboard` as an operator starts it, for the whole session."""
    data_dir = tmp_path_factory.mktemp("dashboard-data")
    with running_dashboard(database_url, redis_base_url, data_dir) as url:
        yield url


def _local_only(route: Route) -> None:
    if route.request.url.startswith(("http://127.0.0.1", "data:")):
        route.continue_()
    else:
        route.abort()


@pytest.fixture
def page(browser: Browser, dashboard_url: str, db: Any, redis_url: str) -> Iterator[Page]:
    """A fresh browser context (no cookies) on an emptied database and Redis database."""
    context = browser.new_context(base_url=dashboard_url, viewport={"width": 1280, "height": 860})
    context.route("**/*", _local_only)
    tab = context.new_page()
    tab.set_default_timeout(15_000)
    yield tab
    context.close()
